import { IecError } from './errors.js';
import { baudCharOf, optionSelect, type Identification } from './sign-on.js';

// What follows the identification (IEC 62056-21 6.4.3-6.4.5): in mode C and E the reader
// acknowledges with an option select naming the speed and mode, and both sides switch after it;
// in mode B the meter switches to its own speed without one, in mode A nothing changes. The I/O
// layer sends `ack`, waits (the meter's reaction time, 200-300 ms in practice), then switches the
// port to `baud` and `framing` — 8N1 for HDLC, 7E1 for a readout.

export interface HandOver {
  /** The option select to send; empty in modes A and B. */
  ack: Buffer;
  baud: number;
  framing: '7E1' | '8N1';
}

const RATES = [300, 600, 1200, 2400, 4800, 9600, 19200];

export function handOver(id: Identification, o: { to: 'readout' | 'hdlc'; maxBaud?: number }): HandOver {
  if (o.to === 'hdlc' && !id.modeE) throw new IecError('bad-value', 0, `meter ${id.manufacturer} ${id.ident} does not offer binary mode (HDLC)`);
  if (id.mode === 'A') return { ack: Buffer.alloc(0), baud: 300, framing: '7E1' };
  if (id.mode === 'B') return { ack: Buffer.alloc(0), baud: id.baud, framing: '7E1' };
  const limit = o.maxBaud ?? id.baud;
  const baud = RATES.filter((r) => r <= id.baud && r <= limit).pop();
  if (baud === undefined) throw new IecError('bad-value', 0, `no rate at or below ${limit} baud`);
  const baudChar = baudCharOf(baud, 'C');
  return o.to === 'hdlc'
    ? { ack: optionSelect({ protocol: 2, baudChar, mode: 2 }), baud, framing: '8N1' }
    : { ack: optionSelect({ protocol: 0, baudChar, mode: 0 }), baud, framing: '7E1' };
}
