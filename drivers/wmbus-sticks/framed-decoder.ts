// The one resynchronising loop every stick decoder runs. A codec says only what its framing is:
// given the bytes held (b[0] at stream offset `offset`), are they the start of a frame still
// arriving, a run to drop as garbage (why), or a whole frame to take (with its events)? The loop
// holds the bytes across push() calls, keeps the stream offsets, merges adjacent garbage runs,
// and asks again until the codec waits or nothing is left. See README.md "Invariants".
import { EventList, StreamBuffer } from './stream-buffer.js';
import type { GarbageReason, StickDecoder, StickEvent } from './stick-types.js';

export type Step =
  /** A frame has begun but is not complete: keep the bytes, wait for more. */
  | { kind: 'wait' }
  /** Drop this many bytes from the front as garbage, then look again. */
  | { kind: 'skip'; bytes: number; reason: GarbageReason }
  /** Take this many bytes from the front as one frame (or delimiter) giving these events. */
  | { kind: 'take'; bytes: number; events: readonly StickEvent[] };

export const WAIT: Step = { kind: 'wait' };
export const skip = (bytes: number, reason: GarbageReason): Step => ({ kind: 'skip', bytes, reason });
export const take = (bytes: number, ...events: StickEvent[]): Step => ({ kind: 'take', bytes, events });

export interface Framing {
  /** Never called with no bytes; a skip or take must cover at least one byte. */
  read(b: Buffer, offset: number): Step;
  /** Forgets the framing's own state (the link calls flush() after an idle gap or a reconnect). */
  reset?(): void;
}

export function createFramedDecoder(framing: Framing): StickDecoder {
  const buffer = new StreamBuffer();
  return {
    push(chunk: Buffer): StickEvent[] {
      buffer.append(chunk);
      const out = new EventList();
      while (buffer.length > 0) {
        const step = framing.read(buffer.bytes, buffer.offset);
        if (step.kind === 'wait') break;
        // A step of no bytes would spin for ever: a framing bug, never an input.
        if (step.bytes < 1) throw new Error(`stick framing made no progress at offset ${buffer.offset}`);
        if (step.kind === 'skip') {
          out.skip(buffer, step.bytes, step.reason);
          continue;
        }
        buffer.consume(step.bytes);
        for (const e of step.events) {
          if (e.kind === 'garbage') out.garbage(e.offset, e.bytes, e.reason);
          else out.push(e);
        }
      }
      return out.events;
    },
    flush(): StickEvent[] {
      framing.reset?.();
      return new EventList().flush(buffer);
    },
  };
}

/** A binary framing whose frames open with one start byte and carry their length in the header. */
export interface StartByteFraming {
  start: number;
  /** Length of the frame whose header is at b[at]: 'short' until the header is there, or why it is no header. */
  frameLength(b: Buffer, at: number): number | 'short' | GarbageReason;
  /** Why a complete frame is refused (its check), or null to take it. */
  refuse(frame: Buffer): GarbageReason | null;
  /** A complete frame further on that is trusted to prove the unfinished one before it was cut off. */
  provesCut(frame: Buffer): boolean;
  /** The event of a frame that passed its check; `frame` is a copy the event may keep. */
  decode(frame: Buffer, offset: number): StickEvent;
}

/**
 * Discard until a start byte (`no-start`); an impossible header or a frame that fails its check
 * drops only that start byte, so a real frame inside a false start is still found. While a frame
 * is incomplete, a trusted frame further on means it was cut off (`truncated`), rather than
 * waiting for bytes that never come.
 */
export function startByteFraming(f: StartByteFraming): Framing {
  return {
    read(b: Buffer, offset: number): Step {
      const start = b.indexOf(f.start);
      if (start !== 0) return skip(start === -1 ? b.length : start, 'no-start');
      const total = f.frameLength(b, 0);
      if (total === 'short') return WAIT;
      if (typeof total === 'string') return skip(1, total);
      if (b.length < total) {
        const later = laterFrame(b, f);
        return later === -1 ? WAIT : skip(later, 'truncated');
      }
      const refused = f.refuse(b.subarray(0, total));
      if (refused !== null) return skip(1, refused);
      return take(total, f.decode(Buffer.from(b.subarray(0, total)), offset));
    },
  };
}

function laterFrame(b: Buffer, f: StartByteFraming): number {
  for (let at = b.indexOf(f.start, 1); at !== -1; at = b.indexOf(f.start, at + 1)) {
    const total = f.frameLength(b, at);
    if (typeof total === 'number' && at + total <= b.length && f.provesCut(b.subarray(at, at + total))) return at;
  }
  return -1;
}
