// Line framing shared by the ASCII sticks (CUL, rtl-wmbus): split on LF, drop a CR before it,
// bound the line length, and hand each line with its stream offset to the stick's parser.
import { EventList, StreamBuffer } from './stream-buffer.js';
import type { StickDecoder, StickEvent } from './stick-types.js';

const LF = 0x0a;

export interface Line {
  text: string;
  /** The line with its line ending, as received. */
  raw: Buffer;
  offset: number;
}

export function createLineDecoder(maxLine: number, onLine: (line: Line, out: EventList) => void): StickDecoder {
  const buffer = new StreamBuffer();
  /** Inside an over-long line: drop bytes until its LF. */
  let discarding = false;
  return {
    push(chunk: Buffer): StickEvent[] {
      buffer.append(chunk);
      const out = new EventList();
      for (;;) {
        const b = buffer.bytes;
        if (b.length === 0) break;
        const lf = b.indexOf(LF);
        if (discarding) {
          out.skip(buffer, lf === -1 ? b.length : lf + 1, 'too-long');
          if (lf !== -1) discarding = false;
          continue;
        }
        if (lf === -1 || lf > maxLine) {
          if (b.length > maxLine) {
            discarding = lf === -1;
            out.skip(buffer, lf === -1 ? b.length : lf + 1, 'too-long');
            continue;
          }
          break;
        }
        const offset = buffer.offset;
        const raw = Buffer.from(buffer.consume(lf + 1));
        const end = raw.length >= 2 && raw[raw.length - 2] === 0x0d ? raw.length - 2 : raw.length - 1;
        if (end === 0) continue; // blank line: nothing to report
        onLine({ text: raw.subarray(0, end).toString('latin1'), raw, offset }, out);
      }
      return out.events;
    },
    flush(): StickEvent[] {
      discarding = false;
      return new EventList().flush(buffer);
    },
  };
}

export function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(text);
}
