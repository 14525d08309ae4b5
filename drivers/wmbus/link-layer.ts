import { crc16En13757 } from './crc.js';
import { WmbusError, need } from './errors.js';
import { manufacturerFromCode } from './manufacturer.js';

// EN 13757-4 data link layer. A "stripped" telegram is the L-field followed by the frame without its
// CRCs (L counts the bytes after itself); that is what most sticks deliver and what the rest of the
// driver works on. Frames with CRCs come in format A or B and are checked block by block.

export type FrameFormat = 'A' | 'B';
export type CrcOption = { crc: 'stripped' } | { crc: 'present'; format: FrameFormat };

/** The link address: M-field + A-field (ID, version, device type), 8 bytes in wire order. */
export interface MeterAddress {
  manufacturer: string;
  manufacturerCode: number;
  /** The ID as the 8 digits printed on the meter (the 4 ID bytes reversed, in hex). */
  id: string;
  version: number;
  deviceType: number;
  /** M(2) ID(4) version type, as on the wire: the IV prefix of AES modes. */
  bytes: Buffer;
}

export interface LinkHeader {
  /** L-field of the stripped telegram (bytes after L, without CRCs). */
  length: number;
  c: number;
  address: MeterAddress;
}

const HEADER = 10; // L C M(2) A(6)
const BLOCK = 16;
const FORMAT_B_FIRST = 128; // format B: blocks 1 and 2 with their CRC are at most 128 bytes

function crcAt(buf: Uint8Array, pos: number): number {
  return ((buf[pos] ?? 0) << 8) | (buf[pos + 1] ?? 0); // DLL CRCs are sent MSB first
}

function checkCrc(buf: Uint8Array, start: number, end: number, block: number): void {
  need(buf, end, 2, `CRC of block ${block}`);
  const want = crc16En13757(buf, start, end);
  if (crcAt(buf, end) !== want) {
    throw new WmbusError('bad-crc', start, `CRC of block ${block} (bytes ${start}-${end - 1}) does not match`);
  }
}

/** Checks every CRC of a format A frame and returns the stripped telegram. */
export function stripFormatA(frame: Uint8Array): Buffer {
  need(frame, 0, 1, 'L-field');
  const l = frame[0] ?? 0;
  if (l < HEADER - 1) throw new WmbusError('bad-length', 0, `L-field ${l} is shorter than the link header`);
  const dataAfterFirst = l - (HEADER - 1);
  const blocks = 1 + Math.ceil(dataAfterFirst / BLOCK);
  const total = 1 + l + 2 * blocks;
  if (frame.length < total) throw new WmbusError('truncated', frame.length, `format A frame with L=${l} needs ${total} bytes, got ${frame.length}`);
  if (frame.length > total) throw new WmbusError('bad-length', total, `format A frame with L=${l} is ${total} bytes, got ${frame.length}`);
  const out = Buffer.alloc(l + 1);
  checkCrc(frame, 0, HEADER, 1);
  Buffer.from(frame.buffer, frame.byteOffset, HEADER).copy(out, 0);
  let src = HEADER + 2;
  let dst = HEADER;
  for (let b = 2; dst < out.length; b++) {
    const n = Math.min(BLOCK, out.length - dst);
    checkCrc(frame, src, src + n, b);
    Buffer.from(frame.buffer, frame.byteOffset + src, n).copy(out, dst);
    src += n + 2;
    dst += n;
  }
  return out;
}

/** Checks the CRCs of a format B frame (L counts the CRCs) and returns the stripped telegram. */
export function stripFormatB(frame: Uint8Array): Buffer {
  need(frame, 0, 1, 'L-field');
  const l = frame[0] ?? 0;
  const total = l + 1;
  if (frame.length < total) throw new WmbusError('truncated', frame.length, `format B frame with L=${l} needs ${total} bytes, got ${frame.length}`);
  if (frame.length > total) throw new WmbusError('bad-length', total, `format B frame with L=${l} is ${total} bytes, got ${frame.length}`);
  if (total < HEADER + 3) throw new WmbusError('bad-length', 0, `format B frame with L=${l} is too short for a header, CI and CRC`);
  if (total <= FORMAT_B_FIRST) {
    checkCrc(frame, 0, total - 2, 2);
    const out = Buffer.from(frame.subarray(0, total - 2));
    out[0] = total - 3;
    return out;
  }
  if (total < FORMAT_B_FIRST + 3) throw new WmbusError('bad-length', FORMAT_B_FIRST, `format B frame of ${total} bytes leaves an empty third block`);
  checkCrc(frame, 0, FORMAT_B_FIRST - 2, 2);
  checkCrc(frame, FORMAT_B_FIRST, total - 2, 3);
  const out = Buffer.concat([frame.subarray(0, FORMAT_B_FIRST - 2), frame.subarray(FORMAT_B_FIRST, total - 2)]);
  out[0] = out.length - 1;
  return out;
}

/** Adds the CRCs to a stripped telegram (its L-field must match its length). */
export function buildFrame(telegram: Uint8Array, format: FrameFormat): Buffer {
  checkStrippedLength(telegram);
  const parts: Buffer[] = [];
  const withCrc = (start: number, end: number, src: Uint8Array = telegram): void => {
    const block = Buffer.from(src.subarray(start, end));
    const crc = crc16En13757(block);
    parts.push(block, Buffer.from([crc >> 8, crc & 0xff]));
  };
  if (format === 'A') {
    withCrc(0, HEADER);
    for (let p = HEADER; p < telegram.length; p += BLOCK) withCrc(p, Math.min(p + BLOCK, telegram.length));
    return Buffer.concat(parts);
  }
  const n = telegram.length;
  const copy = Buffer.from(telegram);
  if (n + 2 <= FORMAT_B_FIRST) {
    copy[0] = n + 1;
    withCrc(0, n, copy);
  } else {
    const total = n + 4;
    if (total > 256) throw new WmbusError('bad-length', 0, `telegram of ${n} bytes is too long for format B`);
    copy[0] = total - 1;
    withCrc(0, FORMAT_B_FIRST - 2, copy);
    withCrc(FORMAT_B_FIRST - 2, n, copy);
  }
  return Buffer.concat(parts);
}

function checkStrippedLength(t: Uint8Array): void {
  need(t, 0, 1, 'L-field');
  const l = t[0] ?? 0;
  if (t.length < l + 1) throw new WmbusError('truncated', t.length, `L-field ${l} announces ${l + 1} bytes, got ${t.length}`);
  if (t.length > l + 1) throw new WmbusError('bad-length', l + 1, `L-field ${l} announces ${l + 1} bytes, got ${t.length}`);
  if (l < HEADER) throw new WmbusError('bad-length', 0, `L-field ${l} leaves no room for a CI field`);
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function parseAddress(buf: Uint8Array, offset: number): MeterAddress {
  // M(2) ID(4) version type: the order of both the link header and the ELL III/IV address.
  need(buf, offset, 8, 'address');
  const b = Buffer.allocUnsafe(8);
  for (let i = 0; i < 8; i++) b[i] = buf[offset + i] as number;
  const code = b.readUInt16LE(0);
  return {
    manufacturer: manufacturerFromCode(code),
    manufacturerCode: code,
    id: (HEX[b[5] as number] as string) + (HEX[b[4] as number] as string) + (HEX[b[3] as number] as string) + (HEX[b[2] as number] as string),
    version: b[6] ?? 0,
    deviceType: b[7] ?? 0,
    bytes: b,
  };
}

/** Turns what the link delivers into a stripped telegram, checking CRCs if they are present. */
export function toStripped(bytes: Uint8Array, opts: CrcOption): Buffer {
  if (opts.crc === 'present') return opts.format === 'A' ? stripFormatA(bytes) : stripFormatB(bytes);
  checkStrippedLength(bytes);
  return Buffer.from(bytes);
}

/**
 * As toStripped, but a stripped input comes back as a view of the caller's bytes, not a copy: for
 * readers that only read it (decodeTelegram copies whatever it hands out).
 */
export function strippedView(bytes: Uint8Array, opts: CrcOption): Buffer {
  if (opts.crc === 'present') return toStripped(bytes, opts);
  checkStrippedLength(bytes);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Parses the link header; returns it with the stripped telegram (CI field at offset 10). */
export function parseLinkHeader(bytes: Uint8Array, opts: CrcOption): { link: LinkHeader; telegram: Buffer } {
  const telegram = toStripped(bytes, opts);
  const link: LinkHeader = { length: telegram[0] ?? 0, c: telegram[1] ?? 0, address: parseAddress(telegram, 2) };
  return { link, telegram };
}
