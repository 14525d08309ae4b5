import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../test/support/log-capture.js';
import { type Received, type TestBroker, recorder, testBroker, waitFor } from '../../../test/support/mqtt-broker.js';
import type { Publisher } from '../gateway-types.js';
import { sampleReading } from '../../../test/support/sample-reading.js';
import type { MqttOptions } from './mqtt-options.js';
import { openPublisher } from './mqtt-publisher.js';

// The broker goes away and comes back: a Mosquitto of the test's own (with persistence, so the
// subscriber's session and the messages queued for it survive the restart), stopped and started
// on the same port. The subscriber sees every reading once, in order.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const reading = sampleReading;

async function setup(bufferMaxMessages: number) {
  const broker: TestBroker = await testBroker();
  cleanups.push(() => broker.dispose());
  await broker.start();
  const dir = mkdtempSync(join(tmpdir(), 'openeks-mqtt-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const tag = randomBytes(4).toString('hex');
  const config: MqttOptions = {
    url: broker.url,
    clientId: `openeks-gw-${tag}`,
    topicPrefix: 'meters',
    bufferPath: join(dir, 'buffer.db'),
    bufferMaxMessages,
    homeAssistant: { enabled: false, discoveryPrefix: 'homeassistant' },
    availabilityTimeoutSeconds: 3600,
  };
  // A persistent session (clean: false) that the restarted broker still knows; no resubscribe, so no retained replays.
  const sub = await recorder(broker.url, 'meters/gw1/+/state', { clientId: `sub-${tag}`, clean: false, resubscribe: false, properties: { sessionExpiryInterval: 3600 } });
  cleanups.push(() => sub.client.endAsync(true));
  const open = async (): Promise<Publisher> => {
    const pub = await openPublisher({ config, gatewayId: 'gw1', log: captureLogs().logger });
    cleanups.push(() => pub.close());
    return pub;
  };
  return { broker, config, sub, open };
}

/**
 * The readings the subscriber got as new messages. The broker's own retries to the subscriber
 * (a QoS 1 delivery it had not seen acknowledged before it stopped) come with the DUP flag and are
 * set aside, after checking that each repeats one already received: they are not sends of ours.
 */
const fresh = (got: Received[]) => got.filter((m) => !m.dup).length;

function totals(got: Received[]): number[] {
  const total = (m: Received) => (JSON.parse(m.payload) as { total_m3: number }).total_m3;
  const fresh = got.filter((m) => !m.dup).map(total);
  for (const m of got.filter((x) => x.dup)) expect(fresh).toContain(total(m));
  return fresh;
}
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the publisher through a broker outage', () => {
  it('buffers what comes while the broker is down and delivers every reading once, in order, when it is back', async () => {
    const { broker, sub, open } = await setup(1000);
    const pub = await open();
    await waitFor(() => pub.status().connected, 'the first connection');
    for (let n = 1; n <= 5; n++) pub.reading(reading(n));
    await waitFor(() => fresh(sub.got) === 5 && pub.status().buffered === 0, 'readings 1-5 acknowledged');

    await broker.stop();
    await waitFor(() => !pub.status().connected, 'the publisher noticing the outage');
    for (let n = 6; n <= 40; n++) pub.reading(reading(n));
    expect(pub.status()).toEqual({ connected: false, buffered: 35, dropped: 0, delivered: 6 });

    await broker.start();
    await waitFor(() => fresh(sub.got) >= 40 && pub.status().buffered === 0, 'readings 6-40 after the restart');
    expect(totals(sub.got)).toEqual(range(1, 40));
    expect(pub.status()).toEqual({ connected: true, buffered: 0, dropped: 0, delivered: 41 });
  });

  it('keeps the newest bufferMaxMessages and counts the dropped ones in its status and the retained status/detail', async () => {
    const { broker, sub, open } = await setup(10);
    const pub = await open();
    pub.reading(reading(0));
    await waitFor(() => fresh(sub.got) === 1 && pub.status().buffered === 0, 'reading 0');

    await broker.stop();
    await waitFor(() => !pub.status().connected, 'the publisher noticing the outage');
    for (let n = 1; n <= 25; n++) pub.reading(reading(n));
    expect(pub.status()).toEqual({ connected: false, buffered: 10, dropped: 15, delivered: 2 });

    await broker.start();
    await waitFor(() => fresh(sub.got) >= 11 && pub.status().buffered === 0, 'the ten newest readings');
    expect(totals(sub.got)).toEqual([0, ...range(16, 25)]);
    expect(pub.status()).toEqual({ connected: true, buffered: 0, dropped: 15, delivered: 12 });

    const detail = await recorder(broker.url, 'meters/gw1/status/detail');
    cleanups.push(() => detail.client.endAsync());
    await waitFor(() => detail.got.length > 0, 'the retained status detail');
    expect(detail.got[0]?.retain).toBe(true);
    expect(JSON.parse(detail.got[0]?.payload ?? '')).toMatchObject({ dropped: 15, connected: true });
  });

  it('delivers after a restart of the gateway what was pending, and nothing that had been acknowledged', async () => {
    const { broker, sub, open } = await setup(1000);
    const first = await open();
    for (let n = 1; n <= 3; n++) first.reading(reading(n));
    await waitFor(() => fresh(sub.got) === 3 && first.status().buffered === 0, 'readings 1-3');

    await broker.stop();
    await waitFor(() => !first.status().connected, 'the publisher noticing the outage');
    for (let n = 4; n <= 6; n++) first.reading(reading(n));
    await first.close();

    await broker.start();
    const second = await open();
    expect(second.status()).toMatchObject({ buffered: 3, dropped: 0, delivered: 4 });
    await waitFor(() => second.status().buffered === 0 && fresh(sub.got) >= 6, 'readings 4-6 from the reopened buffer');
    // One more round trip: anything re-sent by mistake would have arrived before it.
    second.reading(reading(7));
    await waitFor(() => fresh(sub.got) >= 7, 'reading 7');
    expect(totals(sub.got)).toEqual(range(1, 7));
    expect(second.status()).toEqual({ connected: true, buffered: 0, dropped: 0, delivered: 8 });
  });

  it('after a crash (SIGKILL) sends what was pending and nothing the broker had acknowledged', async () => {
    const { broker, config, sub, open } = await setup(1000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/mqtt-publisher-child.ts', JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const status = async (): Promise<{ connected: boolean; buffered: number; delivered: number }> => {
      child.stdin.write('status\n');
      const line = await lines.next();
      return JSON.parse(String(line.value)) as { connected: boolean; buffered: number; delivered: number };
    };
    const until = async (ok: (s: Awaited<ReturnType<typeof status>>) => boolean, what: string) => {
      for (let i = 0; i < 1000; i++) {
        if (ok(await status())) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error(`timed out waiting for ${what}`);
    };

    child.stdin.write('read 1 3\n');
    await until((s) => s.connected && s.delivered === 4 && s.buffered === 0, 'readings 1-3 acknowledged in the child');
    await broker.stop();
    await until((s) => !s.connected, 'the child noticing the outage');
    child.stdin.write('read 4 9\n');
    await until((s) => s.buffered === 6, 'readings 4-9 in the child’s buffer');
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });

    await broker.start();
    const pub = await open();
    expect(pub.status()).toMatchObject({ buffered: 6, dropped: 0, delivered: 4 });
    await waitFor(() => pub.status().buffered === 0 && fresh(sub.got) >= 9, 'readings 4-9 after the crash');
    pub.reading(reading(10));
    await waitFor(() => fresh(sub.got) >= 10, 'reading 10');
    expect(totals(sub.got)).toEqual(range(1, 10));
  });
});
