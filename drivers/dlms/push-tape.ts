import type { Fields } from '../wmbus/meters/fields.js';
import { decodeData, MAX_DEPTH } from './axdr.js';
import { addValue, octetsText, valueText, type CosemObject } from './obis-fields.js';
import { isKamstrupCentiAmpere, obisTextAt, type PushObjects } from './push-objects.js';
import { scaled } from './units.js';

// The push reader's fast path: a decrypted DataNotification body read in one pass from its bytes
// to objects and fields, with no DlmsData tree and no Buffer per OBIS code. Its first step lays the
// body out as a "tape" (one entry per A-XDR value in typed arrays reused across pushes: tag, where
// its content lies, its length or element count, the index of its next sibling, its number); its
// second walks the tape exactly as pushObjects walks a DlmsData tree (push-objects.ts: the same
// three layouts, the same Kamstrup rule). Anything the tape does not take — a malformed body, a
// count or length in the long form, a bit-string, nesting at MAX_DEPTH — gives undefined, and the
// caller takes the generic path (decodeData + pushObjects), which also says what is wrong.
// push-tape.test.ts checks that both paths give the same objects and fields.

let cap = 0;
let tags = new Uint8Array(0);
/** Offset of the value's tag byte. */
let starts = new Int32Array(0);
/** Offset of the content (after tag and length). */
let at = new Int32Array(0);
/** String length or element count. */
let lens = new Int32Array(0);
/** Index of the next sibling's entry (after all children). */
let next = new Int32Array(0);
let nums = new Float64Array(0);
let used = 0;

function grown<T extends Uint8Array | Int32Array | Float64Array>(a: T, make: (n: number) => T): T {
  const b = make(cap);
  b.set(a);
  return b;
}

function grow(): void {
  cap = Math.max(64, cap * 2);
  tags = grown(tags, (n) => new Uint8Array(n));
  starts = grown(starts, (n) => new Int32Array(n));
  at = grown(at, (n) => new Int32Array(n));
  lens = grown(lens, (n) => new Int32Array(n));
  next = grown(next, (n) => new Int32Array(n));
  nums = grown(nums, (n) => new Float64Array(n));
}

const u16 = (b: Buffer, p: number): number => ((b[p] as number) << 8) | (b[p + 1] as number);
const u32 = (b: Buffer, p: number): number => (((b[p] as number) << 24) >>> 0) + (((b[p + 1] as number) << 16) | ((b[p + 2] as number) << 8) | (b[p + 3] as number));

/** Fixed content sizes by tag; -1: not fixed (or not taken by the tape). */
const SIZE = new Int8Array(256).fill(-1);
for (const [tag, size] of [[0x00, 0], [0x03, 1], [0x05, 4], [0x06, 4], [0x0f, 1], [0x10, 2], [0x11, 1], [0x12, 2], [0x14, 8], [0x15, 8], [0x16, 1], [0x17, 4], [0x18, 8], [0x19, 12], [0x1a, 5], [0x1b, 4]] as const) SIZE[tag] = size;

/** One value at `p` onto the tape; the offset after it, or -1 when the tape does not take it. */
function scan(b: Buffer, p: number, depth: number): number {
  if (p >= b.length) return -1;
  if (used === cap) grow();
  const i = used++;
  const tag = b[p] as number;
  tags[i] = tag;
  starts[i] = p;
  const c = p + 1;
  if (tag === 0x01 || tag === 0x02) {
    if (depth >= MAX_DEPTH || c >= b.length) return -1;
    const count = b[c] as number;
    if (count >= 0x80 || count > b.length - c - 1) return -1;
    lens[i] = count;
    at[i] = c + 1;
    let q = c + 1;
    for (let k = 0; k < count && q >= 0; k++) q = scan(b, q, depth + 1);
    next[i] = used;
    return q;
  }
  if (tag === 0x09 || tag === 0x0a || tag === 0x0c) {
    if (c >= b.length) return -1;
    const length = b[c] as number;
    if (length >= 0x80 || c + 1 + length > b.length) return -1;
    lens[i] = length;
    at[i] = c + 1;
    next[i] = used;
    return c + 1 + length;
  }
  const size = SIZE[tag] as number;
  if (size < 0 || c + size > b.length) return -1;
  at[i] = c;
  lens[i] = size;
  next[i] = used;
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

const isObis = (i: number): boolean => tags[i] === 0x09 && lens[i] === 6;
const isList = (i: number): boolean => tags[i] === 0x01 || tags[i] === 0x02;
/** { int8 scaler, enum unit } */
const isScalerUnit = (i: number): boolean => tags[i] === 0x02 && lens[i] === 2 && tags[i + 1] === 0x0f && tags[next[i + 1] as number] === 0x16;

const KAMSTRUP = Buffer.from('Kamstrup_', 'latin1');
const CLOCK = '0-0:1.0.0.255';

class TapeWalk {
  readonly objects: CosemObject[] = [];
  readonly fields: Fields = {};
  private kamstrupFlat = false;

  constructor(private readonly b: Buffer) {}

  private shown(i: number, scaler: number, isClock: boolean): number | string {
    const tag = tags[i] as number;
    switch (tag) {
      case 0x05: case 0x06: case 0x0f: case 0x10: case 0x11: case 0x12: case 0x14: case 0x15: case 0x17: case 0x18:
        return scaled(nums[i] as number, scaler);
      case 0x03: case 0x16:
        return scaled(nums[i] as number, 0);
      case 0x09:
        return octetsText(this.b.subarray(at[i], (at[i] as number) + (lens[i] as number)), isClock);
      case 0x0a: case 0x0c:
        return this.b.toString(tag === 0x0a ? 'latin1' : 'utf8', at[i], (at[i] as number) + (lens[i] as number));
      default: // null, date-time, date, time: rare; as the generic path shows them
        return valueText(decodeData(this.b, starts[i], 'plaintext', true).data, scaler, isClock);
    }
  }

  /** The object under the OBIS code at entry `o`, its value at `v`, its { scaler, unit } at `su` (-1: none). */
  private add(o: number, v: number, su: number): void {
    const obis = obisTextAt(this.b, at[o] as number);
    let scaler: number | undefined;
    let unit: number | undefined;
    if (su >= 0) {
      scaler = nums[su + 1] as number;
      unit = nums[next[su + 1] as number] as number;
    } else if (this.kamstrupFlat && isKamstrupCentiAmpere(obis)) {
      scaler = -2;
    }
    addValue(this.objects, this.fields, obis, this.shown(v, scaler ?? 0, obis === CLOCK), unit);
  }

  private isKamstrupId(i: number): boolean {
    return tags[i] === 0x0a && (lens[i] as number) >= KAMSTRUP.length && this.b.compare(KAMSTRUP, 0, KAMSTRUP.length, at[i], (at[i] as number) + KAMSTRUP.length) === 0;
  }

  /** The children of list entry `list`, as Walk.items takes them (push-objects.ts). */
  items(list: number, depth: number): void {
    if (depth > 16) return;
    const count = lens[list] as number;
    const first = list + 1;
    if (count >= 2 && count <= 3 && isObis(first)) {
      const value = next[first] as number;
      if (!isList(value)) {
        if (count === 2) return this.add(first, value, -1);
        const su = next[value] as number;
        if (isScalerUnit(su)) return this.add(first, value, su);
      }
    }
    let c = first;
    for (let k = 0; k < count; k++) {
      if (isList(c)) {
        this.items(c, depth + 1);
        c = next[c] as number;
        continue;
      }
      if (k + 1 < count && isObis(c)) {
        const value = next[c] as number;
        if (!isObis(value) && !isList(value)) {
          const after = next[value] as number;
          if (k + 2 < count && isScalerUnit(after)) {
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

/**
 * The objects and fields of the A-XDR body at `bodyAt` that runs to the end of `b` (the generic
 * path's pushObjects(decodeData(b, bodyAt).data)), or undefined when the fast path does not take
 * the body: the caller then takes the generic path.
 */
export function tapePushObjects(b: Buffer, bodyAt: number): PushObjects | undefined {
  used = 0;
  if (scan(b, bodyAt, 0) !== b.length) return undefined;
  const walk = new TapeWalk(b);
  if (isList(0)) walk.items(0, 0);
  return { objects: walk.objects, fields: walk.fields };
}
