import { HdlcFrameReader, type HdlcFrame } from '../../drivers/dlms/hdlc.js';
import { baudOfChar, identificationLine, readOptionSelect, readoutBlock, type MeterIdentification, type ReadoutSet } from './iec-meter-side.js';

// The optical port of the simulated meter, as a state machine over bytes (no port, no timer): it
// waits at 300 baud for an IEC 62056-21 sign-on (`/?!` or `/?<serial>!`), identifies itself, and on
// the option select either sends the mode C readout or hands over to HDLC at the chosen speed (mode
// E). A frame flag (7E) while idle is plain HDLC without a sign-on, as on a meter's serial port.
// After HDLC's DISC, or a break (SOH B0 ETX), the port is back at 300 baud waiting for a sign-on.
// A sign-on while identified (the host missed the identification, or its option select was lost)
// is answered again, and any other line there sends the port back to the start, as IEC 62056-21
// has a meter do with a message it does not expect: the port never sits deaf in `identified`.

export type OpticalState = 'idle' | 'identified' | 'hdlc';

export interface OpticalPortOptions {
  /** What the meter answers with: `/KAM5\2…`. */
  identification: MeterIdentification;
  /** The meter's serial: a sign-on naming another address is not answered. */
  serial: string;
  /** Whether the port answers a sign-on at all (a meter with modeE false speaks plain HDLC only). */
  signOn: boolean;
  /** The mode C data sets, read when asked. */
  readout(): ReadoutSet[];
  /** One HDLC frame from the host: the frames to send back. */
  hdlc(frame: HdlcFrame): Buffer[];
  /** A frame that is not one (bad FCS …): the simulator may log it; the meter stays silent. */
  onGarbage?(error: Error): void;
  /** A sign-on line was read: whether it was answered (not when it names another meter, or signOn is false). */
  onSignOn?(answered: boolean): void;
}

/** What the port does, in order: bytes to send, or a change of the line's speed (after what was sent before it). */
export type OpticalAction = Buffer | { baud: number };

export interface OpticalPort {
  readonly state: OpticalState;
  /** The line was quiet too long: back to waiting for a sign-on at 300 baud, as a meter times out. */
  timeout(): OpticalAction[];
  /** Bytes from the host; what to send back and when to change speed, in order. */
  push(chunk: Uint8Array): OpticalAction[];
}

const MAX_LINE = 128;

/**
 * The 300-baud phase is 7E1: bit 7 of each character is its parity bit. A host that makes 7E1 in
 * software on an 8N1 port (src/gateway/link/optical-mode-e.ts) sends it in bit 7, so the line is
 * read without it, as a 7E1 UART would hand it over. HDLC bytes (8N1) are never touched.
 */
const sevenBit = (b: Uint8Array): Buffer => Buffer.from(Uint8Array.from(b, (x) => x & 0x7f));
const SIGN_ON = /^\/\?([0-9A-Za-z ]{0,32})!\r\n$/;
const BREAK_BYTES = Buffer.from([0x01, 0x42, 0x30, 0x03, 0x71]);
const INITIAL_BAUD = 300;

export function createOpticalPort(o: OpticalPortOptions): OpticalPort {
  let state: OpticalState = 'idle';
  let line = Buffer.alloc(0);
  let reader = new HdlcFrameReader();

  let baud = INITIAL_BAUD;
  const setBaud = (to: number): OpticalAction[] => {
    if (to === baud) return [];
    baud = to;
    return [{ baud: to }];
  };
  const toIdle = (): OpticalAction[] => {
    state = 'idle';
    line = Buffer.alloc(0);
    return setBaud(INITIAL_BAUD);
  };

  /** One complete line in the IEC phases (sign-on, option select). */
  const onLine = (text: Buffer): OpticalAction[] => {
    if (text.equals(BREAK_BYTES)) return toIdle();
    const m = SIGN_ON.exec(text.toString('latin1'));
    if (m !== null) {
      // A sign-on starts over from any IEC phase (a host that missed the identification asks again).
      const address = (m[1] ?? '').trim();
      const mine = address === '' || address === o.serial || address.replace(/^0+/, '') === o.serial.replace(/^0+/, '');
      const before = toIdle();
      o.onSignOn?.(o.signOn && mine);
      if (!o.signOn || !mine) return before;
      state = 'identified';
      return [...before, identificationLine(o.identification)];
    }
    if (state === 'idle') return [];
    // identified: the option select ACK, `06 V Z Y CR LF`; anything else back to the start.
    const select = readOptionSelect(text);
    const chosen = select === null ? undefined : baudOfChar(select.baudChar);
    if (select === null || chosen === undefined) return toIdle();
    if (select.mode === 0) {
      // Mode C: the readout at the chosen speed, then back to waiting at 300 baud.
      return [...setBaud(chosen), readoutBlock(o.readout()), ...toIdle()];
    }
    if (select.mode === 2 && o.identification.modeE) {
      state = 'hdlc';
      reader = new HdlcFrameReader();
      return setBaud(chosen);
    }
    return toIdle(); // programming mode (1) is not offered
  };

  const onHdlc = (chunk: Uint8Array): OpticalAction[] => {
    const out: OpticalAction[] = [];
    for (const item of reader.push(chunk)) {
      if ('garbage' in item) {
        o.onGarbage?.(item.error);
        continue;
      }
      out.push(...o.hdlc(item.frame));
      if (item.frame.control.kind === 'DISC' && o.signOn) {
        out.push(...toIdle());
        break; // what follows a DISC starts a new sign-on or a new SNRM, read in the idle state
      }
    }
    return out;
  };

  return {
    get state() {
      return state;
    },
    timeout() {
      return state === 'idle' ? [] : toIdle();
    },
    push(chunk) {
      if (state === 'hdlc') return onHdlc(chunk);
      const out: OpticalAction[] = [];
      let bytes = Buffer.from(chunk);
      // Bounded: each turn consumes at least one byte.
      for (let guard = bytes.length + 1; guard > 0 && bytes.length > 0; guard--) {
        if (state === 'hdlc') {
          out.push(...onHdlc(bytes));
          break;
        }
        if (state === 'idle' && line.length === 0 && bytes[0] === 0x7e) {
          state = 'hdlc'; // plain HDLC, no sign-on
          reader = new HdlcFrameReader();
          continue;
        }
        const end = bytes.indexOf(0x0a);
        const brk = line.length === 0 && ((bytes[0] ?? 0) & 0x7f) === 0x01 ? BREAK_BYTES.length : -1;
        if (brk > 0 && bytes.length >= brk) {
          out.push(...onLine(sevenBit(bytes.subarray(0, brk))));
          bytes = bytes.subarray(brk);
          continue;
        }
        if (end < 0) {
          line = Buffer.concat([line, sevenBit(bytes)]).subarray(-MAX_LINE);
          break;
        }
        const whole = Buffer.concat([line, sevenBit(bytes.subarray(0, end + 1))]);
        line = Buffer.alloc(0);
        bytes = bytes.subarray(end + 1);
        // A sign-on may be preceded by wake-up bytes (NULs): the line starts at its slash; an option
        // select at its ACK. Identified, a line with neither is still read (and sends the port back).
        const slash = whole.indexOf(0x2f);
        const ack = whole.indexOf(0x06);
        const start = state === 'idle' ? slash : ack >= 0 ? ack : Math.max(0, slash);
        if (start >= 0) out.push(...onLine(whole.subarray(start)));
      }
      return out;
    },
  };
}
