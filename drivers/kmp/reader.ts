import { KmpError } from './errors.js';
import { decodeKmpFrame, KMP_ACK, KMP_MAX_FRAME, KMP_START_FROM_METER, KMP_START_TO_METER, KMP_STOP, type KmpFrame } from './frame.js';

// Splits a byte stream (the optical eye, perhaps echoing what the host sent) into frames, ACKs and
// garbage. A start byte 80/40 begins a frame and 0D ends it; both are always escaped inside a
// frame, so a start byte in the middle means the frame before it was cut off, and the reader
// resynchronises there. Nothing throws: what does not decode comes back as garbage with its error.

export type KmpReadEvent = KmpFrame | { ack: true } | { garbage: Buffer; error: KmpError };

export class KmpFrameReader {
  /** Bytes of the frame in progress (from its start byte), or of a garbage run. */
  private held: number[] = [];
  private inFrame = false;

  push(chunk: Uint8Array): KmpReadEvent[] {
    const out: KmpReadEvent[] = [];
    for (const b of chunk) {
      if (b === KMP_START_TO_METER || b === KMP_START_FROM_METER) {
        this.endRun(out, 'truncated');
        this.inFrame = true;
        this.held.push(b);
      } else if (!this.inFrame && b === KMP_ACK) {
        this.endRun(out, 'bad-frame');
        out.push({ ack: true });
      } else {
        this.held.push(b);
        if (this.inFrame && b === KMP_STOP) {
          const bytes = Buffer.from(this.held);
          this.held = [];
          this.inFrame = false;
          out.push(decodeOrGarbage(bytes));
        } else if (this.held.length >= KMP_MAX_FRAME) {
          // A run this long is no frame: report it and keep looking for a start byte.
          this.endRun(out, 'bad-frame');
        }
      }
    }
    return out;
  }

  /** What is held after a quiet line: a frame cut off (truncated) or garbage. */
  flush(): KmpReadEvent[] {
    const out: KmpReadEvent[] = [];
    this.endRun(out, 'truncated');
    return out;
  }

  private endRun(out: KmpReadEvent[], frameCode: 'truncated' | 'bad-frame'): void {
    if (this.held.length === 0) return;
    const garbage = Buffer.from(this.held);
    const error = this.inFrame
      ? new KmpError(frameCode, garbage.length, frameCode === 'truncated' ? 'the frame ends without its stop byte 0D' : `no stop byte 0D within ${KMP_MAX_FRAME} bytes`)
      : new KmpError('bad-frame', 0, 'bytes outside a frame (no start byte 80 or 40)');
    out.push({ garbage, error });
    this.held = [];
    this.inFrame = false;
  }
}

function decodeOrGarbage(bytes: Buffer): KmpReadEvent {
  try {
    return decodeKmpFrame(bytes);
  } catch (err) {
    if (err instanceof KmpError) return { garbage: bytes, error: err };
    throw err;
  }
}
