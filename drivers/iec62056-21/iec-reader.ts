import { IecError, isIecError } from './errors.js';
import { MAX_READOUT_BYTES, parseReadout, type DataSet } from './readout.js';
import {
  ACK, ETX, NAK, SOH, STX, parseIdentification, parseOptionSelect, parseSignOnRequest,
  type Identification, type OptionSelect,
} from './sign-on.js';

// Messages out of the byte stream of an optical probe, either way: what a meter sends
// (identification, readout, ACK/NAK) and what a reader sends (sign-on, option select, break), so
// the gateway and the simulated meter share it. A message is recognised by its first byte and ends
// at its own terminator (LF, ETX + BCC, the sixth byte); anything else is garbage, reported with
// the error that refused it, and reading goes on at the next byte that may start a message.

export type IecReadItem =
  | { identification: Identification; bytes: Buffer }
  | { signOn: { address?: string }; bytes: Buffer }
  | { readout: DataSet[]; bytes: Buffer }
  /** An option select, or null for a bare ACK. */
  | { ack: (OptionSelect & { baud: number }) | null; bytes: Buffer }
  | { nak: true; bytes: Buffer }
  | { break: true; bytes: Buffer }
  | { garbage: Buffer; error: IecError };

/** The longest line: an identification `/XXXZ\2` + 32 characters + CR LF (a sign-on is shorter). */
const MAX_LINE = 41;
const STARTS = new Set([0x2f, STX, ACK, NAK, SOH]);

type Taken = { item: IecReadItem; used: number };
type Step = Taken | 'wait';

export class IecReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): IecReadItem[] {
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const out: IecReadItem[] = [];
    for (let guard = this.pending.length + 1; guard > 0 && this.pending.length > 0; guard--) {
      const step = this.step(this.pending, false);
      if (step === 'wait') break;
      out.push(step.item);
      this.pending = this.pending.subarray(step.used);
    }
    return out;
  }

  /**
   * The end of the stream, or a silence the I/O layer judges too long: a bare ACK is complete now;
   * an unfinished message is garbage ('truncated') up to the next byte that may start one, and the
   * messages after it are still read. Leaves the reader empty.
   */
  flush(): IecReadItem[] {
    const out: IecReadItem[] = [];
    for (let guard = this.pending.length + 1; guard > 0 && this.pending.length > 0; guard--) {
      const next = this.step(this.pending, true);
      const step = next === 'wait' ? skip(this.pending, (cut) => new IecError('truncated', cut, 'the stream ends inside a message')) : next;
      out.push(step.item);
      this.pending = this.pending.subarray(step.used);
    }
    this.pending = Buffer.alloc(0);
    return out;
  }

  private step(buf: Buffer, ending: boolean): Step {
    const first = buf[0] ?? 0;
    if (!STARTS.has(first)) return skip(buf, new IecError('bad-block', 0, 'bytes outside a message'));
    if (first === NAK) return { item: { nak: true, bytes: Buffer.from([NAK]) }, used: 1 };
    if (first === 0x2f) return line(buf);
    if (first === ACK) {
      if (buf.length < 2) return ending ? { item: { ack: null, bytes: Buffer.from([ACK]) }, used: 1 } : 'wait';
      const v = buf[1] ?? 0;
      if (v < 0x30 || v > 0x32) return { item: { ack: null, bytes: Buffer.from([ACK]) }, used: 1 };
      if (buf.length < 6) return 'wait';
      return parsed(buf, 6, (b) => ({ ack: parseOptionSelect(b), bytes: b }));
    }
    // STX or SOH: a block up to ETX and its BCC.
    const etx = buf.indexOf(ETX, 1);
    if (etx < 0 || etx + 1 >= buf.length) {
      return buf.length > MAX_READOUT_BYTES ? skip(buf, new IecError('bad-block', MAX_READOUT_BYTES, `a block longer than ${MAX_READOUT_BYTES} bytes`)) : 'wait';
    }
    if (first === SOH) {
      const b = Buffer.from(buf.subarray(0, etx + 2));
      const isBreak = b.length === 5 && b[1] === 0x42 && b[2] === 0x30 && b[4] === 0x71;
      return isBreak ? { item: { break: true, bytes: b }, used: 5 } : skip(buf, new IecError('bad-block', 1, 'a command other than the break (B0)'));
    }
    return parsed(buf, etx + 2, (b) => ({ readout: parseReadout(b), bytes: b }));
  }
}

function line(buf: Buffer): Step {
  const lf = buf.indexOf(0x0a);
  if (lf < 0) {
    return buf.length >= MAX_LINE ? skip(buf, new IecError('bad-identification', MAX_LINE, `a line longer than ${MAX_LINE} bytes`)) : 'wait';
  }
  if (lf + 1 > MAX_LINE) return skip(buf, new IecError('bad-identification', MAX_LINE, `a line longer than ${MAX_LINE} bytes`));
  return parsed(buf, lf + 1, (b) => (b[1] === 0x3f ? { signOn: parseSignOnRequest(b), bytes: b } : { identification: parseIdentification(b), bytes: b }));
}

function parsed(buf: Buffer, length: number, parse: (b: Buffer) => IecReadItem): Step {
  const bytes = Buffer.from(buf.subarray(0, length));
  try {
    return { item: parse(bytes), used: length };
  } catch (e) {
    if (!isIecError(e)) throw e;
    return { item: { garbage: bytes, error: e }, used: length };
  }
}

/** Drops bytes up to the next one that may start a message (at least one byte); `error` may be made knowing where. */
function skip(buf: Buffer, error: IecError | ((cut: number) => IecError)): Taken {
  let next = 1;
  while (next < buf.length && !STARTS.has(buf[next] ?? 0)) next++;
  return { item: { garbage: Buffer.from(buf.subarray(0, next)), error: typeof error === 'function' ? error(next) : error }, used: next };
}
