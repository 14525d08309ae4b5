import { afterAll, expect, it } from 'vitest';
import { createPushReader } from '../drivers/dlms/notification.js';
import { openKmpSession } from '../src/gateway/link/kmp-session.js';
import { listenDlmsPushes, type DlmsPushLink } from '../src/gateway/link/dlms-push-link.js';
import { loadBenchConfig } from './bench-config.js';
import { pullMeterLines, startBench, type Bench } from './bench.js';

// config/bench.yaml's KMP and DLMS meters running in a bench: the MULTICAL 603 polled with the
// gateway's KMP session, the DLMS meter's HAN pushes heard with the gateway's push link and read by
// the push reader under the keys the bench exports.

let bench: Bench | undefined;
let push: DlmsPushLink | undefined;
afterAll(async () => {
  await push?.close();
  await bench?.close();
});

it('starts the MULTICAL 603 and the DLMS meters on their own ptys; the gateway links read them', async () => {
  const config = await loadBenchConfig('config/bench.yaml');
  const dlms = (config.dlms ?? []).map((m, i) => (i === 0 ? { ...m, pushSeconds: 0.2 } : m));
  bench = await startBench({ ...config, dlms }, { autoSend: false });
  expect(bench.kmp.map((m) => m.serial)).toEqual(['60312345']);
  expect(bench.dlms.map((m) => [m.serial, m.pushDevicePath !== undefined])).toEqual([
    ['57012345', true],
    ['57012346', false],
  ]);
  expect(pullMeterLines(bench)[0]).toBe(`MULTICAL 603 60312345 (KMP, 1200 8N2) on ${bench.kmp[0]?.handle.devicePath ?? ''}`);

  const kmp = await openKmpSession({ kind: 'serial', path: bench.kmp[0]?.handle.devicePath ?? '' });
  try {
    const poll = await kmp.poll();
    expect(poll.serial).toBe('60312345');
    expect(Object.keys(poll.fields).length).toBeGreaterThan(3);
  } finally {
    await kmp.close();
  }

  const first = config.dlms?.[0];
  const meter = bench.dlms[0];
  if (first === undefined || meter === undefined) throw new Error('no DLMS meter');
  const keys = { ek: Buffer.from(first.guek, 'hex'), ak: Buffer.from(first.gak, 'hex') };
  const reader = createPushReader();
  const heard: string[] = [];
  push = listenDlmsPushes({ kind: 'serial', path: meter.pushDevicePath ?? '' }, {
    onFrame: (bytes) => {
      const outcome = reader.read(bytes, (st) => (st.equals(meter.systemTitle) ? keys : undefined));
      heard.push(outcome.kind === 'reading' ? `reading ${outcome.verified} ${String(outcome.fields.total_energy_consumption_kwh)}` : outcome.kind);
    },
  });
  for (let i = 0; i < 300 && heard.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
  expect(heard.length).toBeGreaterThanOrEqual(2);
  for (const h of heard) expect(h).toMatch(/^reading gcm-tag [\d.]+$/);
  const energy = heard.map((h) => Number(h.split(' ')[2]));
  expect(energy).toEqual([...energy].sort((a, b) => a - b)); // energy only grows
});
