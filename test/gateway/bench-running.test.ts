import { afterAll, expect, it } from 'vitest';
import { decodeTelegram, isWmbusError } from '../../drivers/wmbus/index.js';
import type { TelegramEvent } from '../../drivers/wmbus-sticks/index.js';
import { loadBenchConfig } from '../../simulators/bench-config.js';
import { startBench, type Bench } from '../../simulators/bench.js';
import type { SentTelegram } from '../../simulators/receiver.js';
import { parseLinkTarget } from '../../src/gateway/link/link-target.js';
import { startStickLink, type StickLink } from '../../src/gateway/link/stick-link.js';

// config/bench.yaml running on its own timers (intervals shortened), with a share of corrupt frames:
// every good frame decrypts under its meter's key, every corrupt one is refused.

let bench: Bench | undefined;
let link: StickLink | undefined;
afterAll(async () => {
  await link?.close();
  await bench?.close();
});

it('a running bench delivers good frames and refused corrupt ones, in order', async () => {
  const config = await loadBenchConfig('config/bench.yaml');
  const meters = config.meters.map((m) => ({ ...m, intervalSeconds: 0.03, corruptShare: 0.3 }));
  bench = await startBench({ ...config, stick: 'amb8465', meters }, { autoSend: false });
  const sent: SentTelegram[] = [];
  bench.receiver.onSent((t) => sent.push(t));
  const received: TelegramEvent[] = [];
  let connected = false;
  link = startStickLink({
    target: parseLinkTarget(bench.link),
    codec: bench.codec,
    onTelegram: (ev) => received.push(ev),
    onStatus: (s) => (connected ||= s.kind === 'connected'),
  });
  for (let i = 0; i < 500 && !connected; i += 1) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 200));
  bench.receiver.start();
  for (let i = 0; i < 1000 && received.length < 40; i += 1) await new Promise((r) => setTimeout(r, 10));
  bench.receiver.stop();
  expect(received.length).toBeGreaterThanOrEqual(40);
  let corrupt = 0;
  received.slice(0, 40).forEach((ev, i) => {
    const s = sent[i];
    if (!s) throw new Error('received more than was sent');
    expect(ev.telegram.equals(s.telegram)).toBe(true);
    let outcome = 'decrypted';
    try {
      decodeTelegram(ev.telegram, { crc: 'stripped', key: s.meter.key });
    } catch (err) {
      outcome = isWmbusError(err) ? err.code : 'other';
    }
    expect(outcome).toBe(s.corrupt ? 'does-not-decrypt' : 'decrypted');
    if (s.corrupt) corrupt += 1;
  });
  expect(corrupt).toBeGreaterThan(0);
});
