import { DlmsError, isDlmsError } from './errors.js';
import { HDLC_FLAG, HDLC_MAX_LENGTH, HDLC_MIN_LENGTH, decodeHdlcFrame, type HdlcFrame } from './hdlc-frame.js';

// Frames out of a byte stream (a serial port, a HAN push port). The length field decides where a
// frame ends — information fields may hold 7E — and the closing flag may open the next frame
// (IEC 62056-46 6.3: shared flags); repeated flags between frames are idle. Bytes that are no
// frame are handed back as garbage with the error that rejected them, and the reader carries on
// at the next flag. It never holds more than one frame of the format's largest size.

export type HdlcReadItem = { frame: HdlcFrame; bytes: Buffer } | { garbage: Buffer; error: DlmsError };

export class HdlcFrameReader {
  private pending: Buffer = Buffer.alloc(0);
  /** Whether `pending` starts with the closing flag of the frame just read (not garbage if what follows is). */
  private afterFrame = false;

  push(chunk: Uint8Array): HdlcReadItem[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const out: HdlcReadItem[] = [];
    // Each turn consumes at least one byte or returns: bounded by the buffer's length.
    for (let guard = this.pending.length + 1; guard > 0; guard--) {
      const buf = this.pending;
      const flag = buf.indexOf(HDLC_FLAG);
      if (flag < 0) {
        if (buf.length > 0) out.push(garbage(buf, new DlmsError('bad-frame', 0, 'HDLC: bytes outside a frame (no flag)', 'frame')));
        this.pending = Buffer.alloc(0);
        return out;
      }
      if (flag > 0) {
        out.push(garbage(buf.subarray(0, flag), new DlmsError('bad-frame', 0, 'HDLC: bytes before the opening flag', 'frame')));
        this.pending = buf.subarray(flag);
        this.afterFrame = false;
        continue;
      }
      if (buf.length < 3) return out;
      if (buf[1] === HDLC_FLAG) {
        this.pending = buf.subarray(1); // an idle or doubled flag
        this.afterFrame = false;
        continue;
      }
      const length = (((buf[1] ?? 0) << 8) | (buf[2] ?? 0)) & HDLC_MAX_LENGTH;
      if ((buf[1] ?? 0) >> 4 !== 0xa || length < HDLC_MIN_LENGTH) {
        this.resync(out, new DlmsError((buf[1] ?? 0) >> 4 !== 0xa ? 'bad-frame' : 'bad-length', 1, 'HDLC: no frame format type 3 after the flag', 'frame'));
        continue;
      }
      if (buf.length < length + 2) return out;
      const bytes = Buffer.from(buf.subarray(0, length + 2));
      try {
        out.push({ frame: decodeHdlcFrame(bytes), bytes });
        this.pending = buf.subarray(length + 1); // the closing flag may open the next frame
        this.afterFrame = true;
      } catch (e) {
        if (!isDlmsError(e)) throw e;
        this.resync(out, e);
      }
    }
    return out;
  }

  /**
   * The end of the stream, or a silence the I/O layer judges too long: the unfinished frame is
   * garbage ('truncated') up to the next flag, and complete frames after that flag are still read —
   * a corrupted length cannot swallow the frames behind it. Leaves the reader empty.
   */
  flush(): HdlcReadItem[] {
    const out: HdlcReadItem[] = [];
    for (let guard = this.pending.length + 1; guard > 0; guard--) {
      const rest = this.pending.subarray(this.afterFrame ? 1 : 0);
      if (rest.length === 0 || (rest.length === 1 && rest[0] === HDLC_FLAG)) break;
      const next = this.pending.indexOf(HDLC_FLAG, 1);
      this.resync(out, new DlmsError('truncated', next < 0 ? this.pending.length : next, 'HDLC: the stream ends inside a frame', 'frame'));
      out.push(...this.push(Buffer.alloc(0)));
    }
    this.pending = Buffer.alloc(0);
    this.afterFrame = false;
    return out;
  }

  /** Drops the bytes from the current flag up to the next one, reported with the error that refused them. */
  private resync(out: HdlcReadItem[], error: DlmsError): void {
    const next = this.pending.indexOf(HDLC_FLAG, 1);
    const cut = next < 0 ? this.pending.length : next;
    const from = this.afterFrame ? 1 : 0;
    const shifted = from === 0 ? error : new DlmsError(error.code, error.offset - from, error.message, 'frame');
    out.push(garbage(this.pending.subarray(from, cut), shifted));
    this.pending = this.pending.subarray(cut);
    this.afterFrame = false;
  }
}

function garbage(bytes: Buffer, error: DlmsError): { garbage: Buffer; error: DlmsError } {
  return { garbage: Buffer.from(bytes), error };
}
