import { DlmsError } from '../../../drivers/dlms/errors.js';
import { handOver, isIecError, parseIdentification, signOnRequest, type Identification } from '../../../drivers/iec62056-21/index.js';

// IEC 62056-21 mode E through the optical eye: sign-on at 300 baud 7E1, the identification must
// announce `\2` (HDLC available), option select `06 32 Z 32 0D 0A`, then both sides switch to 8N1
// at the announced speed and HDLC starts.
//
// Why 7E1 is made in software: serialport can change only the baud rate of an open port
// (`port.update({ baudRate })`), not data bits or parity, and closing and reopening an optical head
// between ACK and SNRM loses the meter's short window (and on many heads toggles the power lines).
// A 7E1 character and an 8N1 character are both 10 bits on the wire (start, 7 data + parity or 8
// data, stop), so the port is opened 8N1 at 300 baud, every byte sent carries the even parity bit
// as its eighth bit, and every byte received drops it. At the switch only the speed changes.

/** What the mode-E sign-on needs of the link: bytes out, the next line in, a wait, a speed change. */
export interface OpticalPort {
  write(bytes: Buffer): Promise<void>;
  /** The next line ending in CR LF, bit 7 already removed; rejects with DlmsError 'no-answer'. */
  readLine(timeoutMs: number): Promise<Buffer>;
  sleep(ms: number): Promise<void>;
  /** Changes the speed (serialport `update`); a TCP link leaves it to the far end. */
  setBaudRate(baud: number): Promise<void>;
  /** Forgets whatever arrived so far (the meter's bytes around the speed change). */
  discard(): void;
}

export interface ModeEOptions {
  /** Device address for the sign-on (`/?ADDRESS!`), when several meters share a bus. */
  address?: string;
  /** Highest speed to ask for, e.g. 9600; the meter's announced speed when lower. */
  maxBaud?: number;
  timeoutMs: number;
  /** Pause after the ACK before switching (the meter switches after the ACK; Gurux waits 500 ms–1 s). */
  switchDelayMs?: number;
}

/** Even parity in bit 7 of every 7-bit character: 7E1 sent through an 8N1 port. */
export function withEvenParity(bytes: Uint8Array): Buffer {
  const out = Buffer.alloc(bytes.length);
  bytes.forEach((b, i) => {
    let v = b & 0x7f;
    let ones = 0;
    for (let x = v; x; x >>= 1) ones += x & 1;
    if (ones % 2 === 1) v |= 0x80;
    out[i] = v;
  });
  return out;
}

/** The received 7E1 characters without their parity bit. */
export function withoutParity(bytes: Uint8Array): Buffer {
  return Buffer.from(Uint8Array.from(bytes, (b) => b & 0x7f));
}

/** Signs on and hands over to HDLC; resolves with the identification and the new speed. */
export async function enterModeE(port: OpticalPort, o: ModeEOptions): Promise<{ identification: Identification; baud: number }> {
  await port.write(withEvenParity(signOnRequest(o.address)));
  const line = await port.readLine(o.timeoutMs + 1500); // 20-odd characters at 300 baud take 0.7 s
  let identification: Identification;
  try {
    identification = parseIdentification(line);
  } catch (e) {
    if (isIecError(e)) throw new DlmsError('bad-frame', e.offset, `the optical identification does not parse: ${e.message}`, 'frame');
    throw e;
  }
  if (!identification.modeE) {
    throw new DlmsError('unsupported', 0, `the meter (${identification.manufacturer} ${identification.ident}) does not announce mode E (\\2): no HDLC on this optical port`, 'frame');
  }
  // The same choice of speed as the simulated meter's (drivers/iec62056-21 handOver).
  const { ack, baud } = handOver(identification, { to: 'hdlc', ...(o.maxBaud !== undefined ? { maxBaud: o.maxBaud } : {}) });
  await port.sleep(identification.reactionMs);
  await port.write(withEvenParity(ack));
  await port.sleep(o.switchDelayMs ?? 500);
  await port.setBaudRate(baud);
  port.discard();
  return { identification, baud };
}
