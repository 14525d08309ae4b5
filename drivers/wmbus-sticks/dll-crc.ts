// EN 13757-4 data-link-layer CRC blocks, for the sticks that hand over frames with their CRCs still
// in (CUL). Output is the normalised form: L-field (counting data bytes only) + data, no CRCs.
import { crc16En13757 } from './crc.js';

const FIRST_BLOCK = 10;
const BLOCK = 16;
/** Format B: blocks 1+2 hold 126 data bytes followed by one CRC. */
const FORMAT_B_FIRST = 126;

function crcAt(frame: Uint8Array, at: number): number {
  return ((frame[at] ?? 0) << 8) | (frame[at + 1] ?? 0);
}

function pushCrc(out: number[], data: Uint8Array): void {
  const crc = crc16En13757(data);
  out.push(crc >> 8, crc & 0xff);
}

/** Format A frame with CRCs → normalised telegram, or a reason. */
export function stripFormatA(frame: Uint8Array): Buffer | 'bad-length' | 'bad-crc' {
  const l = frame[0];
  if (l === undefined || l < FIRST_BLOCK - 1) return 'bad-length';
  const dataLength = l + 1;
  const blocks = 1 + Math.ceil((dataLength - FIRST_BLOCK) / BLOCK);
  if (frame.length !== dataLength + 2 * blocks) return 'bad-length';
  const out: number[] = [];
  let pos = 0;
  for (let block = 0; block < blocks; block++) {
    const size = block === 0 ? FIRST_BLOCK : Math.min(BLOCK, dataLength - out.length);
    if (crc16En13757(frame, pos, pos + size) !== crcAt(frame, pos + size)) return 'bad-crc';
    for (let i = pos; i < pos + size; i++) out.push(frame[i] ?? 0);
    pos += size + 2;
  }
  return Buffer.from(out);
}

/** Format B frame with CRCs (L counts them) → normalised telegram, or a reason. */
export function stripFormatB(frame: Uint8Array): Buffer | 'bad-length' | 'bad-crc' {
  const l = frame[0];
  if (l === undefined || frame.length !== l + 1 || frame.length < FIRST_BLOCK + 3) return 'bad-length';
  if (frame.length <= FORMAT_B_FIRST + 2) {
    const end = frame.length - 2;
    if (crc16En13757(frame, 0, end) !== crcAt(frame, end)) return 'bad-crc';
    const out = Buffer.from(frame.subarray(0, end));
    out[0] = l - 2;
    return out;
  }
  if (frame.length < FORMAT_B_FIRST + 2 + 3) return 'bad-length';
  if (crc16En13757(frame, 0, FORMAT_B_FIRST) !== crcAt(frame, FORMAT_B_FIRST)) return 'bad-crc';
  const end = frame.length - 2;
  if (crc16En13757(frame, FORMAT_B_FIRST + 2, end) !== crcAt(frame, end)) return 'bad-crc';
  const out = Buffer.concat([frame.subarray(0, FORMAT_B_FIRST), frame.subarray(FORMAT_B_FIRST + 2, end)]);
  out[0] = l - 4;
  return out;
}

/** Normalised telegram → format A frame with CRCs. */
export function addFormatA(telegram: Uint8Array): Buffer {
  const out: number[] = [];
  for (let pos = 0; pos < telegram.length; ) {
    const size = pos === 0 ? FIRST_BLOCK : Math.min(BLOCK, telegram.length - pos);
    const block = telegram.subarray(pos, pos + size);
    out.push(...block);
    pushCrc(out, block);
    pos += size;
  }
  return Buffer.from(out);
}

/** Normalised telegram → format B frame with CRCs (L then counts the CRCs). */
export function addFormatB(telegram: Uint8Array): Buffer {
  const n = telegram.length;
  const crcs = n <= FORMAT_B_FIRST ? 1 : 2;
  if (n - 1 + 2 * crcs > 255) throw new RangeError('telegram too long for frame format B');
  const head = Buffer.from(telegram.subarray(0, Math.min(n, FORMAT_B_FIRST)));
  head[0] = n - 1 + 2 * crcs;
  const out: number[] = [...head];
  pushCrc(out, head);
  if (crcs === 2) {
    const tail = telegram.subarray(FORMAT_B_FIRST);
    out.push(...tail);
    pushCrc(out, tail);
  }
  return Buffer.from(out);
}
