import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { createDlmsClient, type DlmsClient, type DlmsClientOptions } from '../../../drivers/dlms/client.js';
import { DlmsError } from '../../../drivers/dlms/errors.js';
import { decodeHdlcFrame, HdlcFrameReader, type HdlcFrame } from '../../../drivers/dlms/hdlc.js';
import { describeLinkTarget, type LinkTarget } from './link-target.js';
import { enterModeE, withoutParity, type OpticalPort } from './optical-mode-e.js';

// The gateway's side of a DLMS meter that is asked (not one that pushes: dlms-push-link.ts): owns
// the serial device or the socket, optionally signs on through the optical eye (mode E), and gives
// the pure client (drivers/dlms/client.ts) an `exchange` that writes one HDLC frame and waits for
// the next one back, with a timeout and a retry of SNRM (a meter just woken may miss the first).

export interface DlmsSessionOptions extends DlmsClientOptions {
  /** IEC 62056-21 sign-on at 300 baud 7E1 first (the optical eye), then HDLC at the meter's speed. */
  modeE?: boolean;
  /** Highest speed to ask for in mode E; the serial speed without mode E (default 9600). */
  baudRate?: number;
  /** How long to wait for each answer (default 3000 ms). */
  timeoutMs?: number;
  /** How often SNRM is sent again when the meter does not answer (default 2). */
  retries?: number;
  /** Pause after the mode-E ACK before switching speed (default 500 ms). */
  switchDelayMs?: number;
}

export type DlmsSession = DlmsClient & {
  /** Releases the association if one is open (best effort), then closes the device or socket. */
  close(): Promise<void>;
  /** The optical identification, when mode E was used. */
  readonly identification?: string;
};

const MAX_LINE = 128; // an identification is at most 3 + 1 + 16 + 2 characters, with room for noise
const CLOSE_TIMEOUT_MS = 2000;

interface Port {
  stream: Duplex;
  setBaudRate(baud: number): Promise<void>;
  close(): Promise<void>;
}

async function openPort(target: LinkTarget, baudRate: number, timeoutMs: number): Promise<Port> {
  if (target.kind === 'serial') {
    // serialport loads only when a serial link is opened (see link-target.ts).
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({ path: target.path, baudRate, dataBits: 8, parity: 'none', stopBits: 1, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
    return {
      stream: port,
      setBaudRate: (baud) => new Promise((resolve, reject) => port.update({ baudRate: baud }, (err) => (err ? reject(err) : resolve()))),
      // close(), not destroy(): after a write, a destroyed serialport keeps Node from exiting.
      close: () => (port.isOpen ? withGuard(new Promise<void>((resolve) => port.close(() => resolve()))) : Promise.resolve()),
    };
  }
  const socket = await new Promise<Duplex>((resolve, reject) => {
    const s = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new DlmsError('no-answer', 0, `no connection to ${describeLinkTarget(target)} within ${timeoutMs} ms`, 'frame'));
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.off('error', reject);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
  return { stream: socket, setBaudRate: async () => undefined, close: () => destroyStream(socket) };
}

/** Incoming bytes, as lines (mode E) or HDLC frames, each awaited with a timeout. */
function createInbox(stream: Duplex) {
  let lineBuf = Buffer.alloc(0);
  const frames: HdlcFrame[] = [];
  let reader = new HdlcFrameReader();
  let mode: 'line' | 'hdlc' = 'line';
  let wake: (() => void) | null = null;
  let failure: Error | null = null;

  stream.on('data', (chunk: Buffer) => {
    if (mode === 'line') lineBuf = Buffer.concat([lineBuf, withoutParity(chunk)]).subarray(-MAX_LINE);
    else for (const item of reader.push(chunk)) if ('frame' in item) frames.push(item.frame);
    wake?.();
  });
  const fail = (err: Error): void => {
    failure = err;
    wake?.();
  };
  stream.on('error', fail);
  stream.once('close', () => fail(new DlmsError('no-answer', 0, 'the link closed', 'frame')));

  async function until<T>(take: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = take();
      if (got !== undefined) return got;
      if (failure) throw failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new DlmsError('no-answer', 0, `no ${what} within ${timeoutMs} ms`, 'frame');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  }

  return {
    readLine(timeoutMs: number): Promise<Buffer> {
      return until(() => {
        const end = lineBuf.indexOf('\r\n');
        if (end < 0) return undefined;
        const line = lineBuf.subarray(0, end + 2);
        lineBuf = lineBuf.subarray(end + 2);
        return line;
      }, timeoutMs, 'identification from the optical eye');
    },
    nextFrame(timeoutMs: number): Promise<HdlcFrame> {
      return until(() => frames.shift(), timeoutMs, 'HDLC answer');
    },
    /**
     * Before each request: drops frames nobody waited for (a late answer to an SNRM sent again) and
     * whatever the reader still holds (a frame whose length was garbled would swallow the answer).
     */
    dropFrames(): void {
      frames.length = 0;
      reader = new HdlcFrameReader();
    },
    startHdlc(): void {
      mode = 'hdlc';
      lineBuf = Buffer.alloc(0);
      frames.length = 0;
      reader = new HdlcFrameReader();
    },
  };
}

function write(stream: Duplex, bytes: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    stream.write(bytes, (err) => (err ? reject(err) : resolve()));
  }).then(() => {
    const drain = (stream as Duplex & { drain?: (cb: (err: Error | null) => void) => void }).drain;
    if (!drain) return undefined;
    return new Promise<void>((resolve, reject) => drain.call(stream, (err) => (err ? reject(err) : resolve())));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function withGuard(p: Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const guard = setTimeout(resolve, CLOSE_TIMEOUT_MS);
    void p.then(() => {
      clearTimeout(guard);
      resolve();
    });
  });
}

function destroyStream(stream: Duplex): Promise<void> {
  if (stream.destroyed) return Promise.resolve();
  const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
  stream.destroy();
  return withGuard(closed);
}

/** Opens the link (and the optical eye in mode E); `connect()` on the result associates. */
export async function openDlmsSession(target: LinkTarget, o: DlmsSessionOptions): Promise<DlmsSession> {
  const timeoutMs = o.timeoutMs ?? 3000;
  const retries = Math.max(0, Math.min(o.retries ?? 2, 10));
  const port = await openPort(target, o.modeE ? 300 : (o.baudRate ?? 9600), timeoutMs);
  const inbox = createInbox(port.stream);
  let identification: string | undefined;
  try {
    if (o.modeE) {
      const optical: OpticalPort = {
        write: (bytes) => write(port.stream, bytes),
        readLine: (ms) => inbox.readLine(ms),
        sleep,
        setBaudRate: (baud) => port.setBaudRate(baud),
        discard: () => inbox.startHdlc(),
      };
      const entered = await enterModeE(optical, { timeoutMs, maxBaud: o.baudRate, switchDelayMs: o.switchDelayMs });
      identification = `${entered.identification.manufacturer} ${entered.identification.ident}`;
    }
    inbox.startHdlc();
  } catch (e) {
    await port.close();
    throw e;
  }

  const exchange = async (frame: Buffer): Promise<HdlcFrame> => {
    const attempts = decodeHdlcFrame(frame).control.kind === 'SNRM' ? 1 + retries : 1;
    for (let attempt = 1; ; attempt++) {
      inbox.dropFrames();
      await write(port.stream, frame);
      try {
        return await inbox.nextFrame(timeoutMs);
      } catch (e) {
        if (!(e instanceof DlmsError && e.code === 'no-answer' && attempt < attempts)) throw e;
      }
    }
  };

  const client = createDlmsClient(o, exchange);
  return {
    get associated() {
      return client.associated;
    },
    identification,
    connect: () => client.connect(),
    get: (d) => client.get(d),
    readRegisters: (obis) => client.readRegisters(obis),
    readClock: () => client.readClock(),
    release: () => client.release(),
    async close() {
      try {
        await client.release();
      } catch {
        // The link goes away anyway; a meter that does not answer the release times the association out.
      }
      await port.close();
    },
  };
}

export { listenDlmsPushes, type DlmsPushLink, type DlmsPushLinkOptions } from './dlms-push-link.js';
