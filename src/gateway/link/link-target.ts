import { connect } from 'node:net';
import type { Duplex } from 'node:stream';

// Where a receiver stick is: a serial device (a USB stick, or a pseudo-terminal in tests) or a raw
// TCP socket (ser2net, rtl_wmbus piped into a socket, the simulator).

export type LinkTarget = { kind: 'serial'; path: string } | { kind: 'tcp'; host: string; port: number };

export class LinkTargetError extends Error {
  override name = 'LinkTargetError';
}

/** `tcp://HOST:PORT` or a device path. */
export function parseLinkTarget(text: string): LinkTarget {
  if (text.length === 0 || text.length > 512) throw new LinkTargetError('the link must be a device path or tcp://HOST:PORT');
  if (text.startsWith('tcp://')) {
    const m = /^tcp:\/\/([A-Za-z0-9.-]{1,253}|\[[0-9a-fA-F:]{2,39}\]):(\d{1,5})$/.exec(text);
    const port = Number(m?.[2]);
    if (!m?.[1] || !(port >= 1 && port <= 65535)) throw new LinkTargetError(`"${text}" is not tcp://HOST:PORT`);
    return { kind: 'tcp', host: m[1].replace(/^\[|\]$/g, ''), port };
  }
  if (!text.startsWith('/')) throw new LinkTargetError(`"${text}" is neither an absolute device path nor tcp://HOST:PORT`);
  return { kind: 'serial', path: text };
}

export function describeLinkTarget(t: LinkTarget): string {
  return t.kind === 'serial' ? t.path : `tcp://${t.host}:${t.port}`;
}

/** The character format on a serial line: 8N1 unless said (KMP's optical eye is 8N2, IEC 62056-21 7E1). */
export interface SerialLine {
  dataBits: 7 | 8;
  parity: 'none' | 'even';
  stopBits: 1 | 2;
}

const LINE_8N1: SerialLine = { dataBits: 8, parity: 'none', stopBits: 1 };

// serialport and its native binding (several MB resident) load only when a serial link is opened:
// a gateway reading a stick over TCP never needs them.
async function openSerial(path: string, baudRate: number, line: SerialLine): Promise<Duplex> {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate, ...line, autoOpen: false });
  return new Promise((resolve, reject) => port.open((err) => (err ? reject(err) : resolve(port))));
}

/** Opens the device or socket; resolves once bytes can flow. `line` applies to a serial device only. */
export function openLinkStream(target: LinkTarget, baudRate: number, timeoutMs: number, line: SerialLine = LINE_8N1): Promise<Duplex> {
  if (target.kind === 'serial') return openSerial(target.path, baudRate, line);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no connection to ${describeLinkTarget(target)} within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}
