import { encodeLength, readLength } from './ber.js';
import { DlmsError, need, type DlmsOffsetIn } from './errors.js';

// A-XDR, the encoding of COSEM values (IEC 61334-6; tags as in docs/protocols/dlms.md "DataNotification
// and A-XDR"). One tag byte, then the value: fixed size for numbers, a length for strings, a count of
// elements for arrays and structures. Decoding is bounded: a nesting deeper than MAX_DEPTH and an
// element count larger than the bytes left are refused before anything is allocated for them.

export { decodeDateTime, encodeDateTime, type CosemDateTime } from './date-time.js';

export type DlmsData =
  | { type: 'null' }
  | { type: 'array' | 'structure'; value: DlmsData[] }
  | { type: 'boolean'; value: boolean }
  | { type: 'bit-string'; value: string /* '0101…', first bit first */ }
  | { type: 'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32' | 'enum'; value: number }
  | { type: 'int64' | 'uint64'; value: bigint }
  | { type: 'octet-string'; value: Buffer }
  | { type: 'visible-string' | 'utf8-string'; value: string }
  | { type: 'float32' | 'float64'; value: number }
  | { type: 'date-time' | 'date' | 'time'; value: Buffer };

export type DlmsDataType = DlmsData['type'];

export const AXDR_TAG = {
  null: 0x00, array: 0x01, structure: 0x02, boolean: 0x03, 'bit-string': 0x04, int32: 0x05, uint32: 0x06,
  'octet-string': 0x09, 'visible-string': 0x0a, 'utf8-string': 0x0c, int8: 0x0f, int16: 0x10, uint8: 0x11,
  uint16: 0x12, int64: 0x14, uint64: 0x15, enum: 0x16, float32: 0x17, float64: 0x18, 'date-time': 0x19, date: 0x1a, time: 0x1b,
} as const satisfies Record<DlmsDataType, number>;

/** Deeper nesting than this is refused: no meter needs it, and it bounds the decoder's stack. */
export const MAX_DEPTH = 16;

const FIXED_SIZE: Record<string, number> = { 'date-time': 12, date: 5, time: 4 };

// A Buffer throughout (its read methods, no DataView per value), one cursor, no closures: this
// runs for every value of every push the gateway hears.
function decodeAt(bytes: Buffer, cur: { pos: number; share: boolean }, depth: number, where: DlmsOffsetIn): DlmsData {
  const offset = cur.pos;
  need(bytes, offset, 1, 'A-XDR tag', where);
  const tag = bytes[offset] as number;
  const at = offset + 1;
  switch (tag) {
    case 0x00:
      cur.pos = at;
      return { type: 'null' };
    case 0x01:
    case 0x02: {
      const type = tag === 0x01 ? 'array' : 'structure';
      if (depth >= MAX_DEPTH) throw new DlmsError('bad-value', offset, `${type} nested deeper than ${MAX_DEPTH}`, where);
      const short = bytes[at];
      const { length: count, end } = short !== undefined && short < 0x80 ? { length: short, end: at + 1 } : readLength(bytes, at, where);
      // Every element takes at least its tag byte.
      if (count > bytes.length - end) throw new DlmsError('bad-length', at, `${type} of ${count} elements in ${bytes.length - end} bytes`, where);
      const value: DlmsData[] = new Array<DlmsData>(count);
      cur.pos = end;
      for (let i = 0; i < count; i++) value[i] = decodeAt(bytes, cur, depth + 1, where);
      return { type, value };
    }
    case 0x03:
      need(bytes, at, 1, 'boolean', where);
      cur.pos = at + 1;
      return { type: 'boolean', value: bytes[at] !== 0 };
    case 0x04: {
      const { length: bits, end } = readLength(bytes, at, where);
      const size = Math.ceil(bits / 8);
      need(bytes, end, size, 'bit-string', where);
      let value = '';
      for (let i = 0; i < bits; i++) value += ((bytes[end + (i >> 3)] as number) >> (7 - (i & 7))) & 1 ? '1' : '0';
      cur.pos = end + size;
      return { type: 'bit-string', value };
    }
    case 0x05:
      need(bytes, at, 4, 'int32', where);
      cur.pos = at + 4;
      return { type: 'int32', value: bytes.readInt32BE(at) };
    case 0x06:
      need(bytes, at, 4, 'uint32', where);
      cur.pos = at + 4;
      return { type: 'uint32', value: bytes.readUInt32BE(at) };
    case 0x09:
    case 0x0a:
    case 0x0c: {
      const short = bytes[at];
      const { length, end } = short !== undefined && short < 0x80 ? { length: short, end: at + 1 } : readLength(bytes, at, where);
      need(bytes, end, length, 'string', where);
      cur.pos = end + length;
      if (tag === 0x09) return { type: 'octet-string', value: cur.share ? bytes.subarray(end, end + length) : copyOf(bytes, end, end + length) };
      const text = bytes.toString(tag === 0x0a ? 'latin1' : 'utf8', end, end + length);
      return { type: tag === 0x0a ? 'visible-string' : 'utf8-string', value: text };
    }
    case 0x0f:
      need(bytes, at, 1, 'int8', where);
      cur.pos = at + 1;
      return { type: 'int8', value: ((bytes[at] as number) << 24) >> 24 };
    case 0x10:
      need(bytes, at, 2, 'int16', where);
      cur.pos = at + 2;
      return { type: 'int16', value: bytes.readInt16BE(at) };
    case 0x11:
    case 0x16:
      need(bytes, at, 1, tag === 0x11 ? 'uint8' : 'enum', where);
      cur.pos = at + 1;
      return { type: tag === 0x11 ? 'uint8' : 'enum', value: bytes[at] as number };
    case 0x12:
      need(bytes, at, 2, 'uint16', where);
      cur.pos = at + 2;
      return { type: 'uint16', value: bytes.readUInt16BE(at) };
    case 0x14:
      need(bytes, at, 8, 'int64', where);
      cur.pos = at + 8;
      return { type: 'int64', value: bytes.readBigInt64BE(at) };
    case 0x15:
      need(bytes, at, 8, 'uint64', where);
      cur.pos = at + 8;
      return { type: 'uint64', value: bytes.readBigUInt64BE(at) };
    case 0x17:
      need(bytes, at, 4, 'float32', where);
      cur.pos = at + 4;
      return { type: 'float32', value: bytes.readFloatBE(at) };
    case 0x18:
      need(bytes, at, 8, 'float64', where);
      cur.pos = at + 8;
      return { type: 'float64', value: bytes.readDoubleBE(at) };
    case 0x19:
    case 0x1a:
    case 0x1b: {
      const type = tag === 0x19 ? 'date-time' : tag === 0x1a ? 'date' : 'time';
      const size = FIXED_SIZE[type] as number;
      need(bytes, at, size, type, where);
      cur.pos = at + size;
      return { type, value: cur.share ? bytes.subarray(at, at + size) : copyOf(bytes, at, at + size) };
    }
    default:
      throw new DlmsError('bad-tag', offset, `A-XDR tag 0x${tag.toString(16).padStart(2, '0')} is not a COSEM data type this driver reads`, where);
  }
}

/** A copy: a decoded value never shares memory with the caller's bytes. */
function copyOf(bytes: Buffer, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(end - start);
  bytes.copy(out, 0, start, end);
  return out;
}

/**
 * One A-XDR value at `offset`; `end` is the offset after it. Throws DlmsError ('truncated',
 * 'bad-tag', 'bad-length', 'bad-value' for nesting deeper than MAX_DEPTH) with the offset in
 * `bytes` — counted in `where` (the caller says whether `bytes` is an APDU or a decrypted plaintext).
 * Octet strings are copies unless `share` (for bytes the caller owns alone, as a fresh plaintext).
 */
export function decodeData(bytes: Uint8Array, offset = 0, where: DlmsOffsetIn = 'apdu', share = false): { data: DlmsData; end: number } {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const cur = { pos: offset, share };
  const data = decodeAt(buf, cur, 0, where);
  return { data, end: cur.pos };
}

function intBytes(type: string, value: number, size: number, signed: boolean): Buffer {
  const min = signed ? -(2 ** (size * 8 - 1)) : 0;
  const max = signed ? 2 ** (size * 8 - 1) - 1 : 2 ** (size * 8) - 1;
  if (!Number.isInteger(value) || value < min || value > max) throw new DlmsError('bad-value', 0, `${type} ${value} is out of range ${min} … ${max}`);
  const b = Buffer.alloc(size);
  if (signed) b.writeIntBE(value, 0, size);
  else b.writeUIntBE(value, 0, size);
  return b;
}

function encodeInto(d: DlmsData, out: Buffer[], depth: number): void {
  const tag = Buffer.from([AXDR_TAG[d.type]]);
  out.push(tag);
  switch (d.type) {
    case 'null':
      return;
    case 'array':
    case 'structure':
      if (depth >= MAX_DEPTH) throw new DlmsError('bad-value', 0, `${d.type} nested deeper than ${MAX_DEPTH}`);
      out.push(encodeLength(d.value.length));
      for (const item of d.value) encodeInto(item, out, depth + 1);
      return;
    case 'boolean':
      out.push(Buffer.from([d.value ? 1 : 0]));
      return;
    case 'bit-string': {
      if (!/^[01]*$/.test(d.value)) throw new DlmsError('bad-value', 0, 'a bit-string holds only 0 and 1');
      const b = Buffer.alloc(Math.ceil(d.value.length / 8));
      for (let i = 0; i < d.value.length; i++) if (d.value[i] === '1') b[i >> 3] = (b[i >> 3] as number) | (0x80 >> (i & 7));
      out.push(encodeLength(d.value.length), b);
      return;
    }
    case 'int8':
      out.push(intBytes(d.type, d.value, 1, true));
      return;
    case 'int16':
      out.push(intBytes(d.type, d.value, 2, true));
      return;
    case 'int32':
      out.push(intBytes(d.type, d.value, 4, true));
      return;
    case 'uint8':
    case 'enum':
      out.push(intBytes(d.type, d.value, 1, false));
      return;
    case 'uint16':
      out.push(intBytes(d.type, d.value, 2, false));
      return;
    case 'uint32':
      out.push(intBytes(d.type, d.value, 4, false));
      return;
    case 'int64':
    case 'uint64': {
      const b = Buffer.alloc(8);
      const signed = d.type === 'int64';
      const min = signed ? -(2n ** 63n) : 0n;
      const max = signed ? 2n ** 63n - 1n : 2n ** 64n - 1n;
      if (d.value < min || d.value > max) throw new DlmsError('bad-value', 0, `${d.type} ${d.value} is out of range`);
      if (signed) b.writeBigInt64BE(d.value);
      else b.writeBigUInt64BE(d.value);
      out.push(b);
      return;
    }
    case 'octet-string':
      out.push(encodeLength(d.value.length), d.value);
      return;
    case 'visible-string':
    case 'utf8-string': {
      const b = Buffer.from(d.value, d.type === 'visible-string' ? 'latin1' : 'utf8');
      out.push(encodeLength(b.length), b);
      return;
    }
    case 'float32': {
      const b = Buffer.alloc(4);
      b.writeFloatBE(d.value);
      out.push(b);
      return;
    }
    case 'float64': {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(d.value);
      out.push(b);
      return;
    }
    case 'date-time':
    case 'date':
    case 'time':
      if (d.value.length !== FIXED_SIZE[d.type]) throw new DlmsError('bad-value', 0, `a ${d.type} is ${FIXED_SIZE[d.type]} bytes, not ${d.value.length}`);
      out.push(d.value);
      return;
  }
}

/** The A-XDR bytes of `d`; DlmsError 'bad-value' for a number out of its type's range. */
export function encodeData(d: DlmsData): Buffer {
  const out: Buffer[] = [];
  encodeInto(d, out, 0);
  return Buffer.concat(out);
}

/** The number a numeric value holds (bigint for the 64-bit types), or undefined for others. */
export function numberOf(d: DlmsData): number | bigint | undefined {
  switch (d.type) {
    case 'int8': case 'int16': case 'int32': case 'uint8': case 'uint16': case 'uint32': case 'enum':
    case 'float32': case 'float64': case 'int64': case 'uint64':
      return d.value;
    case 'boolean':
      return d.value ? 1 : 0;
    default:
      return undefined;
  }
}
