import { SerialPort } from 'serialport';
import { HdlcFrameReader, type HdlcFrame } from '../../drivers/dlms/hdlc.js';

// For the simulator's tests: the host end of a pty as a queue of bytes and HDLC frames, each wait
// bounded by a timeout, so a test fails with a message instead of hanging.

export interface TestHost {
  write(bytes: Buffer): Promise<void>;
  /** The next `n` raw bytes received. */
  bytes(n: number, timeoutMs?: number): Promise<Buffer>;
  /** Bytes up to and including `end`. */
  until(end: number, timeoutMs?: number): Promise<Buffer>;
  /** The next HDLC frame (bytes then read as frames from here on). */
  frame(timeoutMs?: number): Promise<HdlcFrame>;
  /** Sends a frame and waits for the answer. */
  exchange(frame: Buffer, timeoutMs?: number): Promise<HdlcFrame>;
  close(): Promise<void>;
}

export async function openTestHost(path: string, baudRate = 300): Promise<TestHost> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  let held = Buffer.alloc(0);
  let wake: (() => void) | null = null;
  port.on('data', (chunk: Buffer) => {
    held = Buffer.concat([held, chunk]);
    wake?.();
  });
  const waitFor = async <T>(take: () => T | undefined, timeoutMs: number, what: string): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const got = take();
      if (got !== undefined) return got;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${what} within ${timeoutMs} ms (held: ${held.toString('hex')})`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      wake = null;
    }
  };
  const reader = new HdlcFrameReader();
  const frames: HdlcFrame[] = [];
  const host: TestHost = {
    write: (bytes) => new Promise<void>((resolve, reject) => port.write(bytes, (err) => (err ? reject(err) : port.drain(() => resolve())))),
    bytes: (n, timeoutMs = 2000) =>
      waitFor(
        () => {
          if (held.length < n) return undefined;
          const out = held.subarray(0, n);
          held = held.subarray(n);
          return Buffer.from(out);
        },
        timeoutMs,
        `${n} bytes`,
      ),
    until: (end, timeoutMs = 2000) =>
      waitFor(
        () => {
          const at = held.indexOf(end);
          if (at < 0) return undefined;
          const out = held.subarray(0, at + 1);
          held = held.subarray(at + 1);
          return Buffer.from(out);
        },
        timeoutMs,
        `byte ${end.toString(16)}`,
      ),
    frame: (timeoutMs = 2000) =>
      waitFor(
        () => {
          if (held.length > 0) {
            for (const item of reader.push(held)) if ('frame' in item) frames.push(item.frame);
            held = Buffer.alloc(0);
          }
          return frames.shift();
        },
        timeoutMs,
        'HDLC frame',
      ),
    async exchange(frame, timeoutMs) {
      await host.write(frame);
      return host.frame(timeoutMs);
    },
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
  return host;
}
