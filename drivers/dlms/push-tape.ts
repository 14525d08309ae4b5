import type { Fields } from '../wmbus/meters/fields.js';
import { decodeData, MAX_DEPTH } from './axdr.js';
import { addValue, octetsText, resolve, valueText, type CosemObject, type Resolved } from './obis-fields.js';
import { isKamstrupCentiAmpere, obisTextAt, type PushObjects } from './push-objects.js';
import { scaled } from './units.js';

// The push reader's fast path: a decrypted DataNotification body read in one pass from its bytes
// to objects and fields, with no DlmsData tree and no Buffer per OBIS code. Its first step lays the
// body out as a "tape" (one entry per A-XDR value in typed arrays reused across pushes: tag, where
// its content lies, its length or element count, the index of its next sibling, its number); its
// second walks the tape exactly as pushObjects walks a DlmsData tree (push-objects.ts: the same
// three layouts, the same Kamstrup rule). Anything the tape does not take — a malformed body, a
// count or length in the long form, a bit-string, nesting at MAX_DEPTH, more than TAPE_ENTRIES
// values — gives undefined, and the caller takes the generic path (decodeData + pushObjects),
// which also says what is wrong. One tape for the process: the reader is synchronous. Its arrays
// are fields of one object (read through `this`), not module variables, which V8 reads faster.
// push-tape.test.ts checks that both paths give the same objects and fields.

/** Values in a body the fast path takes; a longer body (no meter's push list comes near) takes the generic path. */
export const TAPE_ENTRIES = 2_048;

const u16 = (b: Buffer, p: number): number => ((b[p] as number) << 8) | (b[p + 1] as number);
const u32 = (b: Buffer, p: number): number => (((b[p] as number) << 24) >>> 0) + (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number));

/** Fixed content sizes by tag; -1: not fixed (or not taken by the tape). */
const SIZE = new Int8Array(256).fill(-1);
for (const [tag, size] of [[0x00, 0], [0x03, 1], [0x05, 4], [0x06, 4], [0x0f, 1], [0x10, 2], [0x11, 1], [0x12, 2], [0x14, 8], [0x15, 8], [0x16, 1], [0x17, 4], [0x18, 8], [0x19, 12], [0x1a, 5], [0x1b, 4]] as const) SIZE[tag] = size;

const KAMSTRUP = [...Buffer.from('Kamstrup_', 'latin1')];
const CLOCK = '0-0:1.0.0.255';

// What the walk needs of an OBIS code: its text, its table entry with the unit factors, whether it
// is the clock or one of Kamstrup's 0.01 A currents. A push repeats the same few codes, so they are
// kept in a small direct-mapped cache keyed by the six bytes (A-B as one number, C.D.E.F as
// another): a hash, two comparisons and no Map per object. Bounded: a colliding code replaces the
// one in its slot.
interface Code {
  text: string;
  resolved: Resolved;
  clock: boolean;
  centiAmpere: boolean;
}
const SLOTS = 512;
const slotAb = new Int32Array(SLOTS).fill(-1);
const slotCdef = new Int32Array(SLOTS);
const slotCode: Array<Code | undefined> = new Array<Code | undefined>(SLOTS).fill(undefined);

function codeAt(b: Buffer, p: number): Code {
  const ab = u16(b, p);
  const cdef = ((b[p + 2] as number) << 24) | ((b[p + 3] as number) << 16) | u16(b, p + 4);
  const slot = Math.imul(cdef ^ (ab << 7), 0x9e3779b1) >>> 23; // 0 … 511
  const cached = slotCode[slot];
  if (cached !== undefined && slotAb[slot] === ab && slotCdef[slot] === cdef) return cached;
  const text = obisTextAt(b, p);
  const code: Code = { text, resolved: resolve(text), clock: text === CLOCK, centiAmpere: isKamstrupCentiAmpere(text) };
  slotAb[slot] = ab;
  slotCdef[slot] = cdef;
  slotCode[slot] = code;
  return code;
}

class Tape {
  readonly tags = new Uint8Array(TAPE_ENTRIES);
  /** Offset of the value's tag byte. */
  readonly starts = new Int32Array(TAPE_ENTRIES);
  /** Offset of the content (after tag and length). */
  readonly at = new Int32Array(TAPE_ENTRIES);
  /** String length or element count. */
  readonly lens = new Int32Array(TAPE_ENTRIES);
  /** Index of the next sibling's entry (after all children). */
  readonly next = new Int32Array(TAPE_ENTRIES);
  readonly nums = new Float64Array(TAPE_ENTRIES);
  used = 0;
  b: Buffer = Buffer.alloc(0);
  objects: CosemObject[] = [];
  fields: Fields = {};
  kamstrupFlat = false;

  /** One value at `p` onto the tape; the offset after it, or -1 when the tape does not take it. */
  scan(p: number, depth: number): number {
    const b = this.b;
    if (p >= b.length || this.used === TAPE_ENTRIES) return -1;
    const i = this.used++;
    const tag = b[p] as number;
    this.tags[i] = tag;
    this.starts[i] = p;
    const c = p + 1;
    if (tag === 0x01 || tag === 0x02) {
      if (depth >= MAX_DEPTH || c >= b.length) return -1;
      const count = b[c] as number;
      if (count >= 0x80 || count > b.length - c - 1) return -1;
      this.lens[i] = count;
      this.at[i] = c + 1;
      let q = c + 1;
      for (let k = 0; k < count && q >= 0; k++) q = this.scan(q, depth + 1);
      this.next[i] = this.used;
      return q;
    }
    if (tag === 0x09 || tag === 0x0a || tag === 0x0c) {
      if (c >= b.length) return -1;
      const length = b[c] as number;
      if (length >= 0x80 || c + 1 + length > b.length) return -1;
      this.lens[i] = length;
      this.at[i] = c + 1;
      this.next[i] = i + 1;
      return c + 1 + length;
    }
    const size = SIZE[tag] as number;
    if (size < 0 || c + size > b.length) return -1;
    this.at[i] = c;
    this.lens[i] = size;
    this.next[i] = i + 1;
    const nums = this.nums;
    switch (tag) {
      case 0x03: nums[i] = b[c] !== 0 ? 1 : 0; break;
      case 0x05: nums[i] = u32(b, c) | 0; break;
      case 0x06: nums[i] = u32(b, c); break;
      case 0x0f: nums[i] = ((b[c] as number) << 24) >> 24; break;
      case 0x10: nums[i] = (u16(b, c) << 16) >> 16; break;
      case 0x11: case 0x16: nums[i] = b[c] as number; break;
      case 0x12: nums[i] = u16(b, c); break;
      case 0x14: nums[i] = Number(b.readBigInt64BE(c)); break;
      case 0x15: nums[i] = Number(b.readBigUInt64BE(c)); break;
      case 0x17: nums[i] = b.readFloatBE(c); break;
      case 0x18: nums[i] = b.readDoubleBE(c); break;
      default: break; // null, date-time, date, time: read from the bytes when shown
    }
    return c + size;
  }

  isObis(i: number): boolean {
    return this.tags[i] === 0x09 && this.lens[i] === 6;
  }

  isList(i: number): boolean {
    const t = this.tags[i];
    return t === 0x01 || t === 0x02;
  }

  /** { int8 scaler, enum unit } */
  isScalerUnit(i: number): boolean {
    const tags = this.tags;
    return tags[i] === 0x02 && this.lens[i] === 2 && tags[i + 1] === 0x0f && tags[i + 2] === 0x16;
  }

  isKamstrupId(i: number): boolean {
    if (this.tags[i] !== 0x0a || (this.lens[i] as number) < KAMSTRUP.length) return false;
    const b = this.b;
    const at = this.at[i] as number;
    for (let k = 0; k < KAMSTRUP.length; k++) if (b[at + k] !== KAMSTRUP[k]) return false;
    return true;
  }

  shown(i: number, scaler: number, isClock: boolean): number | string {
    const tag = this.tags[i] as number;
    switch (tag) {
      case 0x05: case 0x06: case 0x0f: case 0x10: case 0x11: case 0x12: case 0x14: case 0x15: case 0x17: case 0x18:
        return scaled(this.nums[i] as number, scaler);
      case 0x03: case 0x16:
        return scaled(this.nums[i] as number, 0);
      case 0x09: {
        const at = this.at[i] as number;
        return octetsText(this.b.subarray(at, at + (this.lens[i] as number)), isClock);
      }
      case 0x0a: case 0x0c: {
        const at = this.at[i] as number;
        return this.b.toString(tag === 0x0a ? 'latin1' : 'utf8', at, at + (this.lens[i] as number));
      }
      default: // null, date-time, date, time: rare; as the generic path shows them
        return valueText(decodeData(this.b, this.starts[i], 'plaintext', true).data, scaler, isClock);
    }
  }

  /** The object under the OBIS code at entry `o`, its value at `v`, its { scaler, unit } at `su` (-1: none). */
  add(o: number, v: number, su: number): void {
    const code = codeAt(this.b, this.at[o] as number);
    let scaler = 0;
    let unit: number | undefined;
    if (su >= 0) {
      scaler = this.nums[su + 1] as number;
      unit = this.nums[su + 2] as number;
    } else if (this.kamstrupFlat && code.centiAmpere) {
      scaler = -2;
    }
    addValue(this.objects, this.fields, code.text, this.shown(v, scaler, code.clock), unit, code.resolved);
  }

  /** The children of list entry `list`, as Walk.items takes them (push-objects.ts). */
  items(list: number, depth: number): void {
    if (depth > 16) return;
    const next = this.next;
    const count = this.lens[list] as number;
    const first = list + 1;
    if (count >= 2 && count <= 3 && this.isObis(first)) {
      const value = next[first] as number;
      if (!this.isList(value)) {
        if (count === 2) return this.add(first, value, -1);
        const su = next[value] as number;
        if (this.isScalerUnit(su)) return this.add(first, value, su);
      }
    }
    let c = first;
    for (let k = 0; k < count; k++) {
      if (this.isList(c)) {
        this.items(c, depth + 1);
        c = next[c] as number;
        continue;
      }
      if (k + 1 < count && this.isObis(c)) {
        const value = next[c] as number;
        if (!this.isObis(value) && !this.isList(value)) {
          const after = next[value] as number;
          if (k + 2 < count && this.isScalerUnit(after)) {
            this.add(c, value, after);
            c = next[after] as number;
            k += 2;
          } else {
            this.add(c, value, -1);
            c = after;
            k += 1;
          }
          continue;
        }
      }
      if (this.isKamstrupId(c)) this.kamstrupFlat = true;
      c = next[c] as number;
    }
  }
}

const tape = new Tape();

/**
 * The objects and fields of the A-XDR body at `bodyAt` that runs to the end of `b` (the generic
 * path's pushObjects(decodeData(b, bodyAt).data)), or undefined when the fast path does not take
 * the body: the caller then takes the generic path.
 */
export function tapePushObjects(b: Buffer, bodyAt: number): PushObjects | undefined {
  const t = tape;
  t.b = b;
  t.used = 0;
  const end = t.scan(bodyAt, 0);
  if (end !== b.length) {
    t.b = EMPTY;
    return undefined;
  }
  const objects: CosemObject[] = [];
  const fields: Fields = {};
  t.objects = objects;
  t.fields = fields;
  t.kamstrupFlat = false;
  if (t.isList(0)) t.items(0, 0);
  // Nothing of this push kept past the call (the plaintext is the caller's).
  t.b = EMPTY;
  t.objects = NO_OBJECTS;
  t.fields = NO_FIELDS;
  return { objects, fields };
}

const EMPTY = Buffer.alloc(0);
const NO_OBJECTS: CosemObject[] = [];
const NO_FIELDS: Fields = {};
