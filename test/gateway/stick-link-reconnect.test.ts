import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stickCodecs, type TelegramEvent } from '../../drivers/wmbus-sticks/index.js';
import { createMeter } from '../../simulators/meters/create-meter.js';
import { createSimulatedReceiver } from '../../simulators/receiver.js';
import { openPtyTransport, openTcpTransport, type PtyTransport } from '../../simulators/transports.js';
import { startStickLink, type LinkStatus, type StickLink } from '../../src/gateway/link/stick-link.js';

// The stick disappears (pty or socket closed) and comes back: the link reconnects by itself; a
// stream of garbage between frames costs nothing but the garbage.

const meter = () => createMeter({ kind: 'multical21', id: '63941885', key: 'C0938B9F2CA9672BCD0013FA6AC75F6E', intervalSeconds: 3600 }, 9);
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function watch(link: (o: { onTelegram(ev: TelegramEvent): void; onStatus(s: LinkStatus): void }) => StickLink) {
  const received: TelegramEvent[] = [];
  const statuses: LinkStatus[] = [];
  const l = link({ onTelegram: (ev) => received.push(ev), onStatus: (s) => statuses.push(s) });
  cleanups.push(() => l.close());
  const count = (kind: LinkStatus['kind']): number => statuses.filter((s) => s.kind === kind).length;
  return { received, statuses, count };
}

describe('reconnect', () => {
  it('a pseudo-terminal that disappears and comes back is reopened', async () => {
    const codec = stickCodecs.im871a;
    const receiver = createSimulatedReceiver({ codec, meters: [meter()], seed: 1 });
    const dir = await mkdtemp(join(tmpdir(), 'openeks-reconnect-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    let pty: PtyTransport = await openPtyTransport(receiver, { baudRate: codec.baudRate, dir });
    cleanups.push(() => pty.close());
    const w = watch((cb) => startStickLink({ target: { kind: 'serial', path: pty.devicePath }, codec, backoff: { initialMs: 50, maxMs: 200 }, ...cb }));
    await until('connected', () => w.count('connected') === 1);
    receiver.sendNow(0);
    await until('first telegram', () => w.received.length === 1);

    await pty.close();
    await until('disconnected', () => w.count('disconnected') >= 1);
    pty = await openPtyTransport(receiver, { baudRate: codec.baudRate, dir });
    await until('reconnected', () => w.count('connected') === 2);
    await new Promise((r) => setTimeout(r, 200));
    receiver.sendNow(0);
    await until('telegram after the reconnect', () => w.received.length === 2);
  });

  it('a TCP peer that goes away is reconnected with growing delays', async () => {
    const codec = stickCodecs.rtlwmbus;
    const receiver = createSimulatedReceiver({ codec, meters: [meter()], seed: 2 });
    let tcp = await openTcpTransport(receiver);
    const port = tcp.port;
    cleanups.push(() => tcp.close());
    const w = watch((cb) => startStickLink({ target: { kind: 'tcp', host: '127.0.0.1', port }, codec, backoff: { initialMs: 20, maxMs: 160 }, ...cb }));
    await until('connected', () => w.count('connected') === 1);
    await tcp.close();
    await until('several refused attempts', () => w.count('disconnected') >= 4);
    const delays = w.statuses.flatMap((s) => (s.kind === 'disconnected' ? [s.retryInMs] : []));
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 160]);
    tcp = await openTcpTransport(receiver, { port });
    await until('reconnected', () => w.count('connected') === 2);
    receiver.sendNow(0);
    await until('telegram after the reconnect', () => w.received.length === 1);
  });
});

describe('garbage', () => {
  it('random bytes between frames are skipped and the frames still arrive', async () => {
    const codec = stickCodecs.im871a;
    const m = meter();
    const frames = [m.next(), m.next(), m.next()].map((t) => codec.encodeTelegram(t.telegram, { rssiDbm: -60 }));
    const noise = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff));
    const server: Server = createServer((s: Socket) => {
      s.write(Buffer.concat([noise, frames[0] ?? Buffer.alloc(0), noise.subarray(0, 7), frames[1] ?? Buffer.alloc(0)]));
      s.write((frames[2] ?? Buffer.alloc(0)).subarray(0, 10)); // cut off: dropped at the idle flush
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const garbage: number[] = [];
    const w = watch((cb) =>
      startStickLink({ target: { kind: 'tcp', host: '127.0.0.1', port }, codec, receiveMode: false, idleFlushMs: 50, onOther: (ev) => (ev.kind === 'garbage' ? void garbage.push(ev.bytes) : undefined), ...cb }),
    );
    await until('two telegrams', () => w.received.length === 2);
    await until('the cut-off frame flushed', () => garbage.reduce((a, b) => a + b, 0) >= 300 + 7 + 10);
    expect(w.received).toHaveLength(2);
  });
});
