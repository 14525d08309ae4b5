// Plumbing of the resync loop (framed-decoder.ts): a byte buffer that knows its absolute stream
// offset, and an event list that merges adjacent skipped runs into one garbage report.
import type { GarbageReason, StickEvent } from './stick-types.js';

export class StreamBuffer {
  private buf: Buffer = Buffer.alloc(0);
  /** Absolute stream offset of buf[0]. */
  private base = 0;

  append(chunk: Buffer): void {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
  }

  get bytes(): Buffer {
    return this.buf;
  }

  get length(): number {
    return this.buf.length;
  }

  get offset(): number {
    return this.base;
  }

  /** Removes n bytes from the front and returns them. */
  consume(n: number): Buffer {
    const taken = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    this.base += taken.length;
    return taken;
  }
}

export class EventList {
  readonly events: StickEvent[] = [];

  garbage(offset: number, bytes: number, reason: GarbageReason): void {
    if (bytes <= 0) return;
    const last = this.events[this.events.length - 1];
    if (last?.kind === 'garbage' && last.offset + last.bytes === offset) {
      last.bytes += bytes;
      return;
    }
    this.events.push({ kind: 'garbage', bytes, reason, offset });
  }

  /** Drops n bytes from the front of the buffer as garbage. */
  skip(buffer: StreamBuffer, n: number, reason: GarbageReason): void {
    const offset = buffer.offset;
    const taken = buffer.consume(n);
    this.garbage(offset, taken.length, reason);
  }

  /** Drops everything held, as a frame that will never be finished. */
  flush(buffer: StreamBuffer): StickEvent[] {
    this.skip(buffer, buffer.length, 'truncated');
    return this.events;
  }

  push(event: StickEvent): void {
    this.events.push(event);
  }
}
