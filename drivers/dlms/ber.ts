import { DlmsError, need, type DlmsOffsetIn } from './errors.js';

// The length form shared by A-XDR (array counts, string lengths) and the BER of the ciphered APDUs
// and AARQ/AARE: one byte below 0x80, else 0x8n followed by n big-endian bytes. We write at most
// 82 xx xx (no APDU of ours is longer) and read up to 84 (four length bytes), as meters send it.

/** The length at `offset` and where its value starts. Lengths above 2^31 are refused ('bad-length'). */
export function readLength(bytes: Uint8Array, offset: number, where: DlmsOffsetIn = 'apdu'): { length: number; end: number } {
  need(bytes, offset, 1, 'length', where);
  const first = bytes[offset] as number;
  if (first < 0x80) return { length: first, end: offset + 1 };
  const count = first & 0x7f;
  if (count === 0 || count > 4) throw new DlmsError('bad-length', offset, `length form 0x${first.toString(16)} is not allowed here`, where);
  need(bytes, offset + 1, count, 'length', where);
  let length = 0;
  for (let i = 1; i <= count; i++) length = length * 256 + (bytes[offset + i] as number);
  if (length > 0x7fffffff) throw new DlmsError('bad-length', offset, `length ${length} is beyond any APDU`, where);
  return { length, end: offset + 1 + count };
}

/** The length bytes for `n` (0 … 65535). */
export function encodeLength(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new DlmsError('bad-value', 0, `length ${n} cannot be encoded (0 … 65535)`);
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}
