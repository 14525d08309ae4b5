import { encodeLength, readLength } from './ber.js';
import { DlmsError, need, type DlmsOffsetIn } from './errors.js';

// BER tag-length-value, as the ACSE APDUs (AARQ, AARE, RLRQ, RLRE) are written: one tag byte here
// (every tag of those APDUs fits one), a BER length, the content.

export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);
}

export interface Tlv {
  tag: number;
  /** Offset of the tag byte in the outer bytes. */
  at: number;
  /** Offset of the content. */
  start: number;
  end: number;
}

/** The TLVs from `offset` to `end`, each checked to lie inside. */
export function readTlvs(bytes: Uint8Array, offset: number, end: number, where: DlmsOffsetIn = 'apdu'): Tlv[] {
  const out: Tlv[] = [];
  let pos = offset;
  while (pos < end) {
    need(bytes, pos, 2, 'BER tag and length', where);
    const tag = bytes[pos] as number;
    const { length, end: start } = readLength(bytes, pos + 1, where);
    if (start + length > end) throw new DlmsError('bad-length', pos + 1, `BER element 0x${tag.toString(16)} of ${length} bytes runs past its container`, where);
    out.push({ tag, at: pos, start, end: start + length });
    pos = start + length;
  }
  return out;
}

/** One TLV at `offset` that must have `tag`. */
export function expectTlv(bytes: Uint8Array, offset: number, tag: number, what: string, end = bytes.length): Tlv {
  need(bytes, offset, 1, what);
  if (bytes[offset] !== tag) throw new DlmsError('bad-tag', offset, `${what}: tag 0x${(bytes[offset] as number).toString(16)}, expected 0x${tag.toString(16)}`);
  const [first] = readTlvs(bytes, offset, Math.min(end, bytes.length));
  if (!first) throw new DlmsError('truncated', offset, `${what}: no content`);
  return first;
}
