import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';

// A socat pseudo-terminal pair for link tests: the code under test opens `devicePath` as it would
// /dev/ttyUSB0; the test holds the other end (`meter`) and plays the meter byte for byte.

export interface PtyPair {
  devicePath: string;
  meter: SerialPort;
  /** Everything the code under test wrote, in order. */
  received(): Buffer;
  close(): Promise<void>;
}

async function waitForPath(path: string): Promise<void> {
  for (let i = 0; i < 250; i++) {
    try {
      await stat(path);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`socat did not create ${path}`);
}

export async function openPtyPair(): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'openeks-dlms-pty-'));
  const meterSide = join(dir, 'meter');
  const devicePath = join(dir, 'host');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${meterSide}`, `pty,raw,echo=0,link=${devicePath}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  await waitForPath(meterSide);
  await waitForPath(devicePath);
  const meter = new SerialPort({ path: meterSide, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => meter.open((err) => (err ? reject(err) : resolve())));
  const chunks: Buffer[] = [];
  meter.on('data', (c: Buffer) => chunks.push(c));
  return {
    devicePath,
    meter,
    received: () => Buffer.concat(chunks),
    async close() {
      if (meter.isOpen) await new Promise<void>((resolve) => meter.close(() => resolve()));
      if (socat.exitCode === null && socat.signalCode === null) socat.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
