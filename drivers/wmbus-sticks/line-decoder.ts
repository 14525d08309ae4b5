// Line framing shared by the ASCII sticks (CUL, rtl-wmbus): split on LF, drop a CR before it,
// bound the line length, and hand each line with its stream offset to the stick's parser.
import { createFramedDecoder, skip, take, WAIT } from './framed-decoder.js';
import type { StickDecoder, StickEvent } from './stick-types.js';

const LF = 0x0a;

export interface Line {
  text: string;
  /** The line with its line ending, as received. */
  raw: Buffer;
  offset: number;
}

/** `onLine` gives the line's events; garbage events among them may cover part of the line. */
export function createLineDecoder(maxLine: number, onLine: (line: Line) => StickEvent[]): StickDecoder {
  /** Inside an over-long line: drop bytes until its LF. */
  let discarding = false;
  return createFramedDecoder({
    read(b: Buffer, offset: number) {
      const lf = b.indexOf(LF);
      if (discarding) {
        if (lf !== -1) discarding = false;
        return skip(lf === -1 ? b.length : lf + 1, 'too-long');
      }
      if (lf === -1 || lf > maxLine) {
        if (b.length <= maxLine) return WAIT;
        discarding = lf === -1;
        return skip(lf === -1 ? b.length : lf + 1, 'too-long');
      }
      const raw = Buffer.from(b.subarray(0, lf + 1));
      const end = raw.length >= 2 && raw[raw.length - 2] === 0x0d ? raw.length - 2 : raw.length - 1;
      if (end === 0) return take(raw.length); // blank line: nothing to report
      return take(raw.length, ...onLine({ text: raw.subarray(0, end).toString('latin1'), raw, offset }));
    },
    reset(): void {
      discarding = false;
    },
  });
}

export function isPrintableAscii(text: string): boolean {
  return /^[\x20-\x7e\t]*$/.test(text);
}

export function hexToBytes(hex: string): Buffer | null {
  if (hex.length % 2 !== 0 || !/^[0-9A-Fa-f]*$/.test(hex)) return null;
  return Buffer.from(hex, 'hex');
}
