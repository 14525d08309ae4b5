import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import type { SimulatedReceiver } from './receiver.js';

// Where the simulated receiver is reachable: a pseudo-terminal pair made by socat (the host opens
// `devicePath`, the receiver holds the other end) or a TCP server on 127.0.0.1.

/** What a transport serves: anything that answers one host connection (a receiver stick, a KMP meter). */
export type Attachable = Pick<SimulatedReceiver, 'attach'>;

export interface PtyTransport {
  /** The device the host opens, like /dev/ttyUSB0. */
  devicePath: string;
  /** Closes the receiver's side and ends socat: to the host, the device disappears. */
  close(): Promise<void>;
}

export interface TcpTransport {
  port: number;
  /** Stops listening and drops every connection. */
  close(): Promise<void>;
}

async function waitForPath(path: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`socat exited with ${child.exitCode}`);
    try {
      await stat(path);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  throw new Error(`socat did not create ${path} within ${timeoutMs} ms`);
}

/** The device end of a pty pair: the simulated device holds `port`, the host opens `devicePath`. */
export interface PtyDevice extends PtyTransport {
  port: SerialPort;
}

/**
 * A socat pseudo-terminal pair with the device's end opened as a serial port. Baud rate, data bits
 * and parity are nominal on a pty (the bytes pass unchanged); they are set as on a real port so a
 * device that switches speed (IEC 62056-21 mode E) makes the same calls.
 */
export async function openPtyDevice(opts: { baudRate: number; dataBits?: 7 | 8; parity?: 'none' | 'even'; stopBits?: 1 | 2; dir?: string }): Promise<PtyDevice> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'openeks-pty-')));
  const deviceSide = join(dir, 'device');
  const devicePath = join(dir, 'host');
  const socat = spawn('socat', [`pty,raw,echo=0,link=${deviceSide}`, `pty,raw,echo=0,link=${devicePath}`], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (socat.exitCode === null && socat.signalCode === null) socat.kill('SIGTERM');
    await exited;
  };
  try {
    await waitForPath(deviceSide, socat, 5000);
    await waitForPath(devicePath, socat, 5000);
  } catch (err) {
    await stop();
    throw err;
  }
  const port = new SerialPort({
    path: deviceSide,
    baudRate: opts.baudRate,
    dataBits: opts.dataBits ?? 8,
    parity: opts.parity ?? 'none',
    stopBits: opts.stopBits ?? 1,
    autoOpen: false,
  });
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    port,
    devicePath,
    async close() {
      if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
      await stop();
      if (opts.dir === undefined) await rm(dir, { recursive: true, force: true });
    },
  };
}

export async function openPtyTransport(receiver: Attachable, opts: { baudRate: number; dir?: string }): Promise<PtyTransport> {
  const device = await openPtyDevice(opts);
  receiver.attach(device.port);
  return { devicePath: device.devicePath, close: device.close };
}

export async function openTcpTransport(receiver: Attachable, opts: { port?: number } = {}): Promise<TcpTransport> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    receiver.attach(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the TCP server has no port');
  return {
    port: address.port,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
