import { DlmsError, need } from './errors.js';
import { crc16X25 } from './hdlc-crc.js';
import { decodeAddress, decodeControl, encodeAddress, encodeControl, type HdlcAddress, type HdlcControl } from './hdlc-fields.js';

// HDLC frame format type 3 (IEC 62056-46 6.4): 7E | FORMAT (2) | DEST | SRC | CTRL | [HCS] |
// [INFO] | FCS | 7E. No byte stuffing: the 11-bit length in FORMAT, not the flags, says where a
// frame ends, so an information field may hold 7E.

export const HDLC_FLAG = 0x7e;
/** The largest value of the 11-bit length: the bytes between the flags. */
export const HDLC_MAX_LENGTH = 0x7ff;
/** FORMAT (2), DEST (1), SRC (1), CTRL (1), FCS (2): the shortest frame between the flags. */
export const HDLC_MIN_LENGTH = 7;

/** LLC header at the start of the information field of the first segment (IEC 62056-46 8.2). */
export const LLC_REQUEST: Buffer = Buffer.from([0xe6, 0xe6, 0x00]);
export const LLC_RESPONSE: Buffer = Buffer.from([0xe6, 0xe7, 0x00]);

export interface HdlcFrame {
  /** The S bit: more segments of the same APDU follow. */
  segmented: boolean;
  dest: HdlcAddress;
  src: HdlcAddress;
  control: HdlcControl;
  /** The information field as sent, LLC header included; empty when the frame has none. */
  info: Buffer;
}

function putCrc(buf: Buffer, start: number, end: number): void {
  buf.writeUInt16LE(crc16X25(buf, start, end), end);
}

/** The frame with its flags, HCS (when there is information) and FCS. DlmsError 'bad-value' when it cannot be sent. */
export function encodeHdlcFrame(f: HdlcFrame): Buffer {
  const dest = encodeAddress(f.dest);
  const src = encodeAddress(f.src);
  const header = 2 + dest.length + src.length + 1;
  const length = f.info.length > 0 ? header + 2 + f.info.length + 2 : header + 2;
  if (length > HDLC_MAX_LENGTH) {
    throw new DlmsError('bad-value', 0, `HDLC frame of ${length} bytes: the format allows at most ${HDLC_MAX_LENGTH}`, 'frame');
  }
  const out = Buffer.alloc(length + 2);
  out[0] = HDLC_FLAG;
  out.writeUInt16BE(0xa000 | (f.segmented ? 0x0800 : 0) | length, 1);
  dest.copy(out, 3);
  src.copy(out, 3 + dest.length);
  out[1 + header - 1] = encodeControl(f.control);
  let at = 1 + header;
  if (f.info.length > 0) {
    putCrc(out, 1, at);
    at += 2;
    f.info.copy(out, at);
    at += f.info.length;
  }
  putCrc(out, 1, at);
  out[at + 2] = HDLC_FLAG;
  return out;
}

/**
 * One frame, with or without its two flags; offsets in DlmsErrors count in `bytes` as passed
 * (`where: 'frame'`). The length must match exactly, and HCS and FCS are checked.
 */
export function decodeHdlcFrame(bytes: Uint8Array): HdlcFrame {
  const flagged = bytes[0] === HDLC_FLAG;
  const start = flagged ? 1 : 0;
  need(bytes, start, 2, 'HDLC format field', 'frame');
  const format = ((bytes[start] ?? 0) << 8) | (bytes[start + 1] ?? 0);
  if (format >> 12 !== 0xa) {
    throw new DlmsError('bad-frame', start, `HDLC format ${format.toString(16).padStart(4, '0')}: not frame format type 3 (Axxx)`, 'frame');
  }
  const length = format & HDLC_MAX_LENGTH;
  if (length < HDLC_MIN_LENGTH) {
    throw new DlmsError('bad-length', start, `HDLC length ${length}: a frame has at least ${HDLC_MIN_LENGTH} bytes`, 'frame');
  }
  const end = start + length; // one past the FCS
  const present = bytes.length - start - (flagged ? 1 : 0);
  if (present < length) {
    throw new DlmsError('truncated', bytes.length, `HDLC frame: length ${length}, ${Math.max(0, present)} bytes present`, 'frame');
  }
  if (flagged && bytes[end] !== HDLC_FLAG) {
    throw new DlmsError(end < bytes.length - 1 ? 'bad-length' : 'bad-frame', end, `HDLC frame: no closing flag after ${length} bytes`, 'frame');
  }
  if (bytes.length !== end + (flagged ? 1 : 0)) {
    throw new DlmsError('bad-length', end, `HDLC frame: length ${length}, ${present} bytes present`, 'frame');
  }
  const fcsAt = end - 2;
  const dest = decodeAddress(bytes, start + 2, fcsAt);
  const src = decodeAddress(bytes, dest.end, fcsAt);
  if (src.end >= fcsAt) throw new DlmsError('truncated', src.end, 'HDLC frame: no control field', 'frame');
  const control = decodeControl(bytes[src.end] ?? 0, src.end);
  const hcsAt = src.end + 1;
  let info = Buffer.alloc(0);
  if (hcsAt < fcsAt) {
    // An information field: the header check sequence first, then at least one byte.
    if (fcsAt - hcsAt < 3) throw new DlmsError('bad-length', hcsAt, 'HDLC frame: bytes after the control field that are neither HCS nor information', 'frame');
    const hcs = (bytes[hcsAt] ?? 0) | ((bytes[hcsAt + 1] ?? 0) << 8);
    if (hcs !== crc16X25(bytes, start, hcsAt)) throw new DlmsError('bad-hcs', hcsAt, 'HDLC header check sequence does not match', 'frame');
    info = Buffer.from(bytes.subarray(hcsAt + 2, fcsAt));
  }
  const fcs = (bytes[fcsAt] ?? 0) | ((bytes[fcsAt + 1] ?? 0) << 8);
  if (fcs !== crc16X25(bytes, start, fcsAt)) throw new DlmsError('bad-fcs', fcsAt, 'HDLC frame check sequence does not match', 'frame');
  return { segmented: (format & 0x0800) !== 0, dest: dest.address, src: src.address, control, info };
}

/** A UI frame carrying a pushed APDU (a DataNotification), LLC response header added, as a HAN port sends it. */
export function encodeHdlcPush(apdu: Uint8Array, addrs: { dest: HdlcAddress; src: HdlcAddress }): Buffer {
  return encodeHdlcFrame({
    segmented: false,
    dest: addrs.dest,
    src: addrs.src,
    control: { kind: 'UI', pf: true },
    info: Buffer.concat([LLC_RESPONSE, apdu]),
  });
}

/** The APDU of an information field without its LLC header; null when it does not start with `llc`. */
export function stripLlc(info: Uint8Array, llc: Uint8Array): Buffer | null {
  if (info.length < llc.length || !Buffer.from(info.subarray(0, llc.length)).equals(llc)) return null;
  return Buffer.from(info.subarray(llc.length));
}
