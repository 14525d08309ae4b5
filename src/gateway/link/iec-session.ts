import type { Duplex } from 'node:stream';
import { handOver, IecError, IecReader, signOnRequest, type DataSet, type Identification } from '../../../drivers/iec62056-21/index.js';
import { describeLinkTarget, openLinkStream, type LinkTarget } from './link-target.js';

// One IEC 62056-21 mode C readout through an optical probe (docs/protocols/iec62056-21.md): the
// sign-on `/?!` at 300 baud 7E1, the meter's identification, the option select for a data readout
// at the speed asked for (never above the meter's offer), the switch of speed after the meter's
// reaction time, and the readout block with its BCC checked (drivers/iec62056-21). The port stays
// 7E1 throughout (mode C switches the speed, not the framing), so serialport's own parity is used;
// over TCP the far end owns the line and only the bytes go through. Every failure is an IecError
// (`bad-bcc`, `bad-identification`, …) or a no-answer Error naming what was awaited.

export interface IecReadout {
  identification: Identification;
  sets: DataSet[];
  /** The speed the readout came at. */
  baud: number;
}

/** No byte within the timeout: a meter that is not there, or a probe not on the eye. */
export class IecNoAnswerError extends Error {
  override name = 'IecNoAnswerError';
  readonly code = 'no-answer';
}

const LINE_7E1 = { dataBits: 7, parity: 'even', stopBits: 1 } as const;
const SIGN_ON_BAUD = 300;
const SIGN_ON_RETRIES = 1;
const READOUT_RETRIES = 1;
const CLOSE_TIMEOUT_MS = 2000;

interface Updatable {
  update(o: { baudRate: number }, cb: (err: Error | null) => void): void;
  drain(cb: (err: Error | null) => void): void;
}
const canUpdate = (s: Duplex): s is Duplex & Updatable => typeof (s as Partial<Updatable>).update === 'function';

/** The milliseconds `bytes` take on the line at `baud` (10 bits a character in 7E1). */
const lineMs = (bytes: number, baud: number): number => Math.ceil((bytes * 10 * 1000) / baud);

export async function readIecMeter(target: LinkTarget, o: { baud?: number; address?: string; timeoutMs: number }): Promise<IecReadout> {
  const stream = await openLinkStream(target, SIGN_ON_BAUD, o.timeoutMs, LINE_7E1);
  const reader = new IecReader();
  const items: ReturnType<IecReader['push']> = [];
  let wake: (() => void) | null = null;
  let gone: string | null = null;
  stream.on('data', (chunk: Buffer) => {
    items.push(...reader.push(chunk));
    wake?.();
  });
  const end = (reason: string) => {
    gone ??= reason;
    wake?.();
  };
  stream.on('error', (err: Error) => end(err.message));
  stream.once('close', () => end('closed'));

  /** The next identification or readout; the timeout restarts with every byte. */
  async function next<K extends 'identification' | 'readout'>(kind: K, what: string, quietMs: number): Promise<Extract<(typeof items)[number], Record<K, unknown>>> {
    for (;;) {
      while (items.length > 0) {
        const item = items.shift();
        if (item === undefined) break;
        if (kind in item) return item as Extract<(typeof items)[number], Record<K, unknown>>;
        if ('garbage' in item) throw item.error;
      }
      if (gone !== null) throw new IecNoAnswerError(`the link ${describeLinkTarget(target)} closed (${gone}) before ${what}`);
      const heard = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), quietMs);
        wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
      });
      wake = null;
      if (!heard) {
        // What was held may be a message cut off: the reader says which error, else it is silence.
        const left = reader.flush().find((i) => 'garbage' in i);
        if (left !== undefined && 'garbage' in left) throw left.error;
        throw new IecNoAnswerError(`no ${what} within ${quietMs} ms`);
      }
    }
  }

  const write = (bytes: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      stream.write(bytes, (err) => (err ? reject(err) : resolve()));
    });

  /** Drains, waits until `notBefore` (ms since the epoch) if given, then changes the speed. */
  const setBaud = async (baud: number, notBefore = 0): Promise<void> => {
    if (!canUpdate(stream)) return;
    const port = stream;
    await new Promise<void>((resolve, reject) => port.drain((err) => (err ? reject(err) : resolve())));
    const wait = notBefore - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    await new Promise<void>((resolve, reject) => port.update({ baudRate: baud }, (err) => (err ? reject(err) : resolve())));
  };

  /** Whether a meter identified itself: only then is a lost readout asked for again. */
  let identified = false;

  /** Sign-on (sent again when unanswered), option select, the speed switch, the readout. */
  async function exchange(): Promise<IecReadout> {
    const request = signOnRequest(o.address);
    // The sign-on is sent once more when nothing answers it: a real meter's optical port may miss
    // the first characters while it wakes up, as KMP and DLMS retry their first request. One retry
    // is enough; a meter that ignores more is not there or not listening (the simulated one answers
    // every sign-on, simulators/dlms/optical-port.ts).
    let identification: Identification | undefined;
    for (let attempt = 0; identification === undefined; attempt += 1) {
      await write(request);
      try {
        ({ identification } = await next('identification', 'identification', o.timeoutMs + lineMs(request.length + 40, SIGN_ON_BAUD)));
      } catch (err) {
        if (!(err instanceof IecNoAnswerError) || attempt >= SIGN_ON_RETRIES || gone !== null) throw err;
      }
    }
    identified = true;
    const h = handOver(identification, { to: 'readout', ...(o.baud === undefined ? {} : { maxBaud: o.baud }) });
    await new Promise((resolve) => setTimeout(resolve, identification.reactionMs));
    const ackSent = Date.now();
    if (h.ack.length > 0) await write(h.ack);
    // The option select must have left the port at 300 baud before the speed changes, and the
    // change must come before the meter's first readout byte: a meter switches only after its
    // reaction time (≥ 200 ms in practice), and changing the settings of a port may discard what
    // it has received and not yet been read. serialport's update() flushes both queues (tcflush
    // TCIOFLUSH); tcdrain returns when the driver's buffer is empty, which on a pty (and on many
    // USB adapters) is before the bytes are on the line, so the flush would throw the option select
    // away. Hence also the option select's own time on the line since it was written: after a
    // drain that really waited for the UART this adds nothing.
    if (h.baud !== SIGN_ON_BAUD) {
      await setBaud(h.baud, ackSent + lineMs(h.ack.length, SIGN_ON_BAUD));
    }
    const { readout } = await next('readout', 'readout', o.timeoutMs);
    return { identification, sets: readout, baud: h.baud };
  }

  try {
    // A readout lost at the speed switch (the meter answered before the port had switched) is asked
    // for once more from the sign-on: after its readout, or its silence timeout, the meter waits at
    // 300 baud for a new one.
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await exchange();
      } catch (err) {
        if (!(err instanceof IecNoAnswerError) || !identified || attempt >= READOUT_RETRIES || gone !== null) throw err;
        identified = false;
        items.length = 0;
        reader.flush();
        await setBaud(SIGN_ON_BAUD);
      }
    }
  } catch (err) {
    if (err instanceof IecError || err instanceof IecNoAnswerError) throw err;
    throw new IecNoAnswerError(`the link ${describeLinkTarget(target)} failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    await new Promise<void>((resolve) => {
      if (stream.destroyed) return resolve();
      const guard = setTimeout(resolve, CLOSE_TIMEOUT_MS);
      stream.once('close', () => {
        clearTimeout(guard);
        resolve();
      });
      stream.destroy();
    });
  }
}
