import { afterAll, describe, expect, it } from 'vitest';
import { decodeTelegram, isWmbusError, recordsOf } from '../../drivers/wmbus/index.js';
import { stickCodecs, type ResponseEvent, type StickName, type TelegramEvent } from '../../drivers/wmbus-sticks/index.js';
import { parseLinkTarget } from '../../src/gateway/link/link-target.js';
import { startStickLink, type LinkStatus, type StickLink } from '../../src/gateway/link/stick-link.js';
import { startBench, type Bench } from '../../simulators/bench.js';
import type { BenchConfig } from '../../simulators/bench-config.js';
import type { SentTelegram } from '../../simulators/receiver.js';

// Simulator → pseudo-terminal pair (socat) or TCP → link → stick decoder → driver, for every stick.

const METERS: BenchConfig['meters'] = [
  { kind: 'multical21', id: '63941885', key: 'C0938B9F2CA9672BCD0013FA6AC75F6E', intervalSeconds: 3600 },
  { kind: 'flowiq2200', id: '71502713', key: '4E2A8D7F19C3B6E05A71D4F82C9B3E60', intervalSeconds: 3600 },
  { kind: 'multical403', id: '67123456', key: '9F3C27A1E8D4B5062F1A7C3E9D8B4A55', intervalSeconds: 3600 },
  { kind: 'oms-water', id: '40312233', key: '00112233445566778899AABBCCDDEEFF', intervalSeconds: 3600 },
];
const WRONG_KEY = Buffer.from('00112233445566778899AABBCCDDEEFE', 'hex');

const benches: Bench[] = [];
const links: StickLink[] = [];
afterAll(async () => {
  for (const l of links) await l.close();
  for (const b of benches) await b.close();
});

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function connectedPair(stick: StickName, link: BenchConfig['link']) {
  const bench = await startBench({ seed: 5, stick, link, meters: METERS }, { autoSend: false });
  benches.push(bench);
  const received: TelegramEvent[] = [];
  const responses: ResponseEvent[] = [];
  const statuses: LinkStatus[] = [];
  const l = startStickLink({
    target: parseLinkTarget(bench.link),
    codec: stickCodecs[stick],
    onTelegram: (ev) => received.push(ev),
    onStatus: (s) => statuses.push(s),
    onOther: (ev) => (ev.kind === 'response' ? void responses.push(ev) : undefined),
    backoff: { initialMs: 50, maxMs: 400 },
  });
  links.push(l);
  await until('connected', () => statuses.some((s) => s.kind === 'connected'));
  return { bench, received, responses, statuses, link: l };
}

const cases: [StickName, BenchConfig['link']][] = [
  ['im871a', { kind: 'pty' }],
  ['iu891a', { kind: 'pty' }],
  ['amb8465', { kind: 'pty' }],
  ['cul', { kind: 'pty' }],
  ['rtlwmbus', { kind: 'tcp', port: 0 }],
];

describe.each(cases)('round trip through %s', (stick, link) => {
  it('every meter’s telegram arrives and decrypts to the values sent; a wrong key is refused', async () => {
    const { bench, received, responses } = await connectedPair(stick, link);
    const codec = stickCodecs[stick];
    const commands = codec.initSequence?.('c1t1').filter((c) => codec.answer?.(c)).length ?? 0;
    await until('the answers to the init sequence', () => responses.length >= commands);
    const sent: SentTelegram[] = [];
    for (let round = 0; round < 2; round += 1) {
      for (let i = 0; i < bench.meters.length; i += 1) sent.push(bench.receiver.sendNow(i));
    }
    await until('all telegrams', () => received.length >= sent.length);
    expect(received).toHaveLength(sent.length);
    received.forEach((ev, i) => {
      const s = sent[i];
      if (!s) throw new Error('nothing sent');
      expect(ev.telegram.equals(s.telegram)).toBe(true);
      expect(ev.rssiDbm).toBeCloseTo(s.rssiDbm, 0);
      const d = decodeTelegram(ev.telegram, { crc: 'stripped', key: s.meter.key });
      const values = recordsOf(d).map((r) => r.value);
      for (const [name, v] of Object.entries(s.values)) {
        const want = name.endsWith('_kwh') ? v * 1000 : v;
        expect(values.some((x) => typeof x === 'number' && Math.abs(x - want) < 1e-9), name).toBe(true);
      }
      let code = 'accepted';
      try {
        decodeTelegram(ev.telegram, { crc: 'stripped', key: WRONG_KEY });
      } catch (err) {
        code = isWmbusError(err) ? err.code : 'other';
      }
      expect(code).toBe('does-not-decrypt');
    });
  });
});
