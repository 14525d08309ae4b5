import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createTelegramPipeline } from '../../drivers/wmbus/index.js';
import { startBench, type Bench as SimBench } from '../../simulators/bench.js';
import type { MeterConfig, MeterKind } from '../../simulators/meters/meter-types.js';
import type { SentTelegram } from '../../simulators/receiver.js';
import { createRng } from '../../src/lib/prng.js';
import { asSystem, createTestApp, signIn, type TestApp } from '../harness.js';
import { createActiveUser, goodPassword } from '../support/accounts.js';
import { FixedClock } from '../support/clock.js';
import { storeDevice } from '../support/devices.js';
import { clearRetained, gatewayEnv, gatewayYaml, until, watchMqtt, type MqttWatch } from '../support/gateway-bench.js';
import { post } from '../support/grants.js';
import { type Bench, type BenchContext, type BenchRow, median, percentile, row, seconds } from './kit.js';

// `npm run bench -- gateway`: the gateway as installed (bin/openeks on the compiled dist/), a real
// core granting it 1,000 simulated Kamstrup meters, an im871a stick on TCP, the real Mosquitto.
//
// 1. Peak RSS (VmHWM) of `openeks gateway` while 1,000 meters send every 0.5 s (~2,000
//    telegrams/s) for 10 s, beside the peak RSS of `openeks --help`. Goal: under 60 MB.
// 2. Readings per second end to end: 5,000 telegrams written to the stick's socket at once, timed
//    until the last state arrived at a subscriber on the broker (so the broker acknowledged each),
//    beside the decode pipeline's rate on the same telegrams in this process. Goal: ratio ≥ 0.5.
// 3. Publish latency p99 at 1,000 readings/s: telegram written → state received by the subscriber,
//    10 telegrams every 10 ms for 5 s. Goal: under 50 ms.
// 4. Revocation: a device's right revoked in the core → the gateway's first no_right event for it
//    (its last reading was published before), with the default sync interval of 30 s. Goal: < 60 s.

const METERS = 1_000;
const KINDS: readonly MeterKind[] = ['multical21', 'flowiq2200', 'multical403'];
const RSS_SECONDS = 10;
const BURST = 5_000;
const PACED_SECONDS = 5;
const POLL_MS = 20;
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'bin/openeks');

class WallClock extends FixedClock {
  override now(): Date {
    return new Date();
  }
}

function meterConfigs(): MeterConfig[] {
  const rng = createRng(23);
  const hex = (): string => Array.from({ length: 16 }, () => rng.int(256).toString(16).padStart(2, '0')).join('').toUpperCase();
  return Array.from({ length: METERS }, (_, i) => ({ kind: KINDS[i % KINDS.length] as MeterKind, id: (70_000_000 + i).toString(), key: hex(), intervalSeconds: 0.5 }));
}

async function vmHwmKb(pid: number): Promise<number | undefined> {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(await readFile(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

async function helpPeakMb(): Promise<number> {
  const child = spawn(CLI, ['--help'], { cwd: ROOT, stdio: 'ignore' });
  let peak = 0;
  let exited = false;
  const done = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
  while (!exited && child.pid !== undefined) {
    peak = Math.max(peak, (await vmHwmKb(child.pid)) ?? 0);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await done;
  return peak / 1024;
}

const stateCount = (watch: MqttWatch): number => watch.messages.filter((m) => m.topic.endsWith('/state')).length;

async function run({ log }: BenchContext): Promise<BenchRow[]> {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = await mkdtemp(join(tmpdir(), 'openeks-bench-gw-'));
  const prefix = `openeks-bench-${process.pid}`;
  let core: TestApp | undefined;
  let sim: SimBench | undefined;
  let child: ChildProcess | undefined;
  let watch: MqttWatch | undefined;
  try {
    // The core: 1,000 devices with their keys, granted to one user, and that user's gateway token.
    core = await createTestApp({ clock: new WallClock() });
    await core.app.listen({ host: '127.0.0.1', port: 0 });
    const address = core.app.server.address();
    const coreUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const email = 'bench-gateway@example.com';
    const userId = await createActiveUser(core, { email });
    const meters = meterConfigs();
    const ids: string[] = [];
    for (const m of meters) ids.push((await storeDevice(core.container, { manufacturer: m.kind === 'flowiq2200' ? 'KAW' : 'KAM', serial: m.id, keys: [{ hex: m.key }] })).deviceId);
    await core.container.grants.assign({ ...asSystem, selection: { ids }, email });
    const created = await post(core, await signIn(core.app, email, goodPassword), '/api/me/tokens', { name: 'Bench', kind: 'gateway' });
    const env = { PATH: process.env.PATH ?? '', ...gatewayEnv(created.json<{ token: string }>().token, randomBytes(32)), OPENEKS_LOG_LEVEL: 'info' };

    sim = await startBench({ seed: 9, stick: 'im871a', link: { kind: 'tcp', port: 0 }, meters }, { autoSend: false });
    const sent: { t: SentTelegram; at: number }[] = [];
    sim.receiver.onSent((t) => sent.push({ t, at: performance.now() }));
    const config = join(dir, 'gateway.yaml');
    await writeFile(config, gatewayYaml({ gatewayId: 'bench', links: [{ name: 'stick', tcp: sim.link, stick: 'im871a' }], coreUrl, cachePath: join(dir, 'keys.db'), topicPrefix: prefix, bufferPath: join(dir, 'buffer.db') }));
    watch = await watchMqtt(prefix);
    const w = watch;
    const received = (): number[] => w.messages.filter((m) => m.topic.endsWith('/state')).map((m) => m.at);

    const floorMb = await helpPeakMb();
    const gw = spawn(CLI, ['gateway', '--config', config], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    child = gw;
    let stderr = '';
    gw.stderr?.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const pageLine = await until(() => stderr.split('\n').find((l) => l.includes('"msg":"status page"')), 'the gateway to start', { tries: 1500 });
    const page = String((JSON.parse(pageLine) as { url: string }).url);
    const status = async () => (await (await fetch(`${page}api/status`)).json()) as { keys: { state: string; devices: number }; links: { state: string }[]; mqtt: { connected: boolean } };
    for (let i = 0; i < 1500; i += 1) {
      const s = await status();
      if (s.keys.devices === METERS && s.mqtt.connected && s.links[0]?.state === 'connected') break;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const pid = gw.pid ?? 0;

    // 1. RSS at ~2,000 telegrams/s.
    sim.receiver.start();
    const rssEnd = performance.now() + RSS_SECONDS * 1000;
    while (performance.now() < rssEnd) await new Promise((r) => setTimeout(r, 100));
    sim.receiver.stop();
    const peakMb = ((await vmHwmKb(pid)) ?? 0) / 1024;
    log(`gateway: peak ${peakMb.toFixed(1)} MB after ${sent.length} telegrams in ${RSS_SECONDS} s; --help ${floorMb.toFixed(1)} MB`);
    await until(() => stateCount(w) >= sent.length, 'the RSS phase to drain', { tries: 3000 });

    // 2. Burst throughput, beside the pipeline's decode rate on the same telegrams.
    const before = stateCount(w);
    const firstBurst = sent.length;
    const start = performance.now();
    for (let i = 0; i < BURST; i += 1) {
      sim.receiver.sendNow(i % METERS);
      if (i % 500 === 499) await new Promise((r) => setImmediate(r));
    }
    await until(() => stateCount(w) >= before + BURST, 'the burst to arrive', { tries: 15_000 });
    const e2eRate = BURST / ((performance.now() - start) / 1000);
    const keyOf = new Map(sim.meters.map((m) => [`${m.address.manufacturer}-${m.address.id}`, [m.key]]));
    const burst = sent.slice(firstBurst, firstBurst + BURST).map((s) => s.t.telegram);
    const decodeMs: number[] = [];
    for (let round = 0; round < 3; round += 1) {
      const p = createTelegramPipeline();
      const t0 = performance.now();
      for (const t of burst) p.read(t, (m) => keyOf.get(`${m.manufacturer}-${m.id}`) ?? []);
      decodeMs.push(performance.now() - t0);
    }
    const decodeRate = BURST / (median(decodeMs) / 1000);

    // 3. Latency at 1,000 readings/s: telegram written → state received, paired in order.
    const pacedFrom = sent.length;
    const receivedFrom = stateCount(w);
    for (let tick = 0; tick < PACED_SECONDS * 100; tick += 1) {
      for (let k = 0; k < 10; k += 1) sim.receiver.sendNow((tick * 10 + k) % METERS);
      await new Promise((r) => setTimeout(r, 10));
    }
    await until(() => stateCount(w) >= receivedFrom + (sent.length - pacedFrom), 'the paced telegrams', { tries: 3000 });
    const arrivals = received();
    const latencies = sent.slice(pacedFrom).map((s, i) => (arrivals[receivedFrom + i] ?? Infinity) - s.at);
    const p99 = percentile(latencies, 99);
    log(`paced: ${latencies.length} readings, median ${median(latencies).toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`);

    // 4. Revocation → the gateway refuses the meter.
    const victim = sim.meters[0];
    const victimKey = victim ? `${victim.address.manufacturer}-${victim.address.id}` : '';
    const revokedAt = performance.now();
    await core.container.grants.revoke({ ...asSystem, readerId: userId, selection: { ids: [ids[0] ?? ''] } });
    let refusedAt = Infinity;
    for (let i = 0; i < 700 && refusedAt === Infinity; i += 1) {
      sim.receiver.sendNow(0);
      await new Promise((r) => setTimeout(r, 100));
      if (w.messages.some((m) => m.topic.endsWith(`/${victimKey}/event`) && m.text.includes('"no_right"'))) refusedAt = performance.now();
    }
    const revokeMs = refusedAt - revokedAt;
    log(`revocation: refused after ${seconds(revokeMs)}`);

    gw.kill('SIGTERM');
    await new Promise((r) => gw.once('exit', r));
    return [
      row({ name: `gateway, ${METERS.toLocaleString('en')} meters, peak RSS`, unit: 'MB', figure: peakMb, floor: floorMb, goal: { kind: 'figure-below', value: 60 },
        note: `VmHWM of \`openeks gateway\` (dist/) after ${RSS_SECONDS} s of ${METERS} meters every 0.5 s over TCP (im871a), keys from the core, states to Mosquitto; floor: VmHWM of \`openeks --help\`` }),
      row({ name: 'gateway, readings end to end', unit: 'req/s', figure: e2eRate, floor: decodeRate, goal: { kind: 'ratio-at-least', value: 0.5 },
        note: `${BURST.toLocaleString('en')} telegrams written at once → states received by a subscriber (QoS 1); floor: createTelegramPipeline().read of the same telegrams in this process, median of 3` }),
      row({ name: 'gateway, publish latency p99 at 1,000 readings/s', unit: 'ms', figure: p99, floor: median(latencies), goal: { kind: 'figure-below', value: 50 },
        note: `telegram written to the stick's socket → state received by the subscriber, ${latencies.length} readings; floor: the median` }),
      row({ name: 'gateway, revocation → meter refused', unit: 'ms', figure: revokeMs, floor: 30_000, goal: { kind: 'figure-below', value: 60_000 },
        note: 'grant revoked in the core → first no_right event for the meter (one telegram every 100 ms); floor: the sync interval (30 s)' }),
    ];
  } finally {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    sim?.receiver.stop();
    await sim?.close();
    if (watch) {
      await clearRetained(watch);
      await watch.close();
    }
    await core?.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const bench: Bench = { name: 'gateway', run };
