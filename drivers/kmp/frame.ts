import { crc16Xmodem } from './crc.js';
import { KmpError } from './errors.js';

// The physical layer and the data link (docs/protocols/kmp.md): START | stuffed(DEST CID DATA CRC) | 0D,
// START 0x80 towards the meter and 0x40 from it; a bare 0x06 is an ACK.

export const KMP_START_TO_METER = 0x80;
export const KMP_START_FROM_METER = 0x40;
export const KMP_STOP = 0x0d;
export const KMP_ACK = 0x06;
export const KMP_ESCAPE = 0x1b;
export const KMP_DEST_HEAT = 0x3f;

export const KMP_CID = { getType: 0x01, getSerialNo: 0x02, setClock: 0x09, getRegister: 0x10, putRegister: 0x11 } as const;

/** One frame: `data` is what follows the CID, without the CRC. */
export interface KmpFrame {
  toMeter: boolean;
  dest: number;
  cid: number;
  data: Buffer;
}

/** The bytes that are escaped inside a frame (1B, then the byte XOR FF). */
const ESCAPED = new Set([KMP_ACK, KMP_STOP, KMP_ESCAPE, KMP_START_FROM_METER, KMP_START_TO_METER]);

/** A physical frame is never longer than this (a GetRegister answer of 8 registers is under 100). */
export const KMP_MAX_FRAME = 512;

function checkByte(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) throw new KmpError('bad-value', 0, `${what} must be a byte (0…255)`, 'data-link');
}

/** DEST CID DATA CRC → START stuffed 0D. */
export function encodeKmpFrame(f: KmpFrame): Buffer {
  checkByte(f.dest, 'the destination');
  checkByte(f.cid, 'the CID');
  const link = Buffer.allocUnsafe(f.data.length + 4);
  link[0] = f.dest;
  link[1] = f.cid;
  f.data.copy(link, 2);
  link.writeUInt16BE(crc16Xmodem(link, 0, link.length - 2), link.length - 2);
  return stuffKmp(link, f.toMeter);
}

/** START | the data link with its five special bytes escaped | STOP (the data link as given, CRC and all). */
export function stuffKmp(link: Uint8Array, toMeter: boolean): Buffer {
  const out = Buffer.allocUnsafe(link.length * 2 + 2);
  let n = 0;
  out[n++] = toMeter ? KMP_START_TO_METER : KMP_START_FROM_METER;
  for (const b of link) {
    if (ESCAPED.has(b)) {
      out[n++] = KMP_ESCAPE;
      out[n++] = b ^ 0xff;
    } else out[n++] = b;
  }
  out[n++] = KMP_STOP;
  return out.subarray(0, n);
}

/**
 * Unstuffs the bytes between START and STOP. Offsets in errors are into `physical`.
 * Throws 'bad-stuffing' for an escape not followed by one of the five escaped values, and
 * 'bad-frame' for an unescaped start, ACK or stop byte inside.
 */
export function unstuffKmp(physical: Uint8Array, from: number, to: number): Buffer {
  const out = Buffer.allocUnsafe(to - from);
  let n = 0;
  for (let i = from; i < to; i++) {
    const b = physical[i] as number;
    if (b === KMP_ESCAPE) {
      if (i + 1 >= to) throw new KmpError('bad-stuffing', i, 'the frame ends after an escape byte 1B');
      const e = (physical[i + 1] as number) ^ 0xff;
      if (!ESCAPED.has(e)) throw new KmpError('bad-stuffing', i, `escape byte 1B followed by ${hex(physical[i + 1] as number)}, which escapes nothing`);
      out[n++] = e;
      i++;
    } else if (ESCAPED.has(b)) {
      throw new KmpError('bad-frame', i, `unescaped ${hex(b)} inside the frame`);
    } else out[n++] = b;
  }
  return out.subarray(0, n);
}

function hex(b: number): string {
  return b.toString(16).padStart(2, '0').toUpperCase();
}

/** One physical frame (START … 0D) → the frame; throws KmpError with the offset in `physical`. */
export function decodeKmpFrame(physical: Uint8Array): KmpFrame {
  const len = physical.length;
  if (len === 0) throw new KmpError('truncated', 0, 'no bytes');
  const start = physical[0] as number;
  if (start !== KMP_START_TO_METER && start !== KMP_START_FROM_METER) throw new KmpError('bad-frame', 0, `no start byte 80 or 40 but ${hex(start)}`);
  if (len > KMP_MAX_FRAME) throw new KmpError('bad-frame', KMP_MAX_FRAME, `a frame longer than ${KMP_MAX_FRAME} bytes`);
  if (physical[len - 1] !== KMP_STOP) throw new KmpError('truncated', len, 'the frame does not end with the stop byte 0D');
  const link = unstuffKmp(physical, 1, len - 1);
  return decodeDataLink(link, start === KMP_START_TO_METER);
}

/** DEST CID DATA CRC (unstuffed) → the frame; offsets in errors are into `link` ('data-link'). */
export function decodeDataLink(link: Uint8Array, toMeter: boolean): KmpFrame {
  if (link.length < 4) throw new KmpError('bad-frame', link.length, `a data link of ${link.length} bytes, shorter than DEST CID CRC`, 'data-link');
  if (crc16Xmodem(link) !== 0) throw new KmpError('bad-crc', link.length - 2, 'the CRC-16 does not match', 'data-link');
  return { toMeter, dest: link[0] as number, cid: link[1] as number, data: Buffer.from(link.subarray(2, link.length - 2)) };
}
