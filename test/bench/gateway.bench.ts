import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { createTelegramPipeline } from '../../drivers/wmbus/index.js';
import { manufacturerOf } from '../../simulators/key-export.js';
import type { MeterConfig, MeterKind } from '../../simulators/meters/meter-types.js';
import type { SentTelegram } from '../../simulators/receiver.js';
import { prepareDemoCore, GATEWAY_EMAIL } from '../../src/cli/demo/demo-core.js';
import { buildApp } from '../../src/core/app.js';
import { systemPrincipal } from '../../src/core/access/principal.js';
import { createContainer } from '../../src/core/container.js';
import { systemClock } from '../../src/lib/clock.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { createRng } from '../../src/lib/prng.js';
import { gatewayEnv, gatewayYaml, startPtyBench, type PtyBench } from '../support/gateway-bench.js';
import { testBroker } from '../support/mqtt-broker.js';
import { type Bench, type BenchContext, type BenchRow, interleavedRounds, median, percentile, row, seconds, systemActorOf } from './kit.js';

// `npm run bench -- gateway` (issue 14): the gateway as a site runs it — `openeks gateway` as a
// child process (the compiled CLI, like wmbus.bench.ts), reading 1,000 simulated Kamstrup meters
// through an im871a on a socat pseudo-terminal, its keys synced from a real core (HTTP on
// loopback, the bench database, a gateway token granted exactly those meters), publishing to a
// real Mosquitto of the bench's own, where a subscriber counts and times every state.
//
// The broker is private (a free loopback port, no persistence, unbounded queues and in-flight
// window; stopped at the end, also on failure): the shared one on 127.0.0.1:1883 keeps at most
// 1,000 queued messages per client and drops the rest for a subscriber that falls behind a burst,
// so the bench waited for readings that would never come. Its limits are not what is measured.
//
// 1. readings/s end to end (a burst written to the pty → gateway → broker acknowledged → the
//    subscriber) vs. the one pipeline's decode rate on the same telegrams in this process: ≥ 0.5.
// 2. publish latency p99 at 1,000 readings/s (telegram written → state received) < 50 ms; floor:
//    the p99 of a plain MQTT client publishing QoS 1 to the same broker at the same rate.
// 3. gateway peak RSS (VmHWM) with 1,000 meters at 2,000 telegrams/s < 60 MB; floor `openeks --help`.
// 4. decode on the one pipeline (drivers/wmbus createTelegramPipeline) vs raw node:crypto
//    AES-128-CTR of the same payloads, same keys and IVs: ≥ 0.4.
// 5. a meter's grant revoked in the core → the last reading published for it, with the default
//    sync interval (30 s): < 60 s; floor: the sync interval.

const METERS = 1_000;
const KINDS: readonly MeterKind[] = ['multical21', 'flowiq2200', 'multical403'];
const BURST = 5_000;
const LATENCY_RATE = 1_000;
const LATENCY_SECONDS = 5;
const RSS_RATE = 2_000;
const RSS_SECONDS = 10;
const SYNC_INTERVAL_S = 30;
const DECODE_ROUNDS = 7;
const SLICE = 1_000;
const WAIT_MS = 120_000;
const POLL_MS = 20;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'bin/openeks');
const GW = 'bench';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function meterConfigs(): MeterConfig[] {
  const rng = createRng(14);
  const hex = (): string => Array.from({ length: 16 }, () => rng.int(256).toString(16).padStart(2, '0')).join('').toUpperCase();
  return Array.from({ length: METERS }, (_, i) => ({ kind: KINDS[i % KINDS.length] as MeterKind, id: String(70_000_000 + i), key: hex(), intervalSeconds: 3600, corruptShare: 0 }));
}

/** Bounded wait for a condition; throws naming it. */
async function until(cond: () => boolean, what: string, ms = WAIT_MS): Promise<void> {
  const deadline = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

/** The subscriber: every state and event under the bench's prefix, with the time it arrived. */
interface Watch {
  states: Map<string, number[]>;
  events: { meterKey: string; name: string; at: number }[];
  total(): number;
  close(): Promise<void>;
}

async function watch(url: string, prefix: string): Promise<Watch> {
  const client: MqttClient = await mqtt.connectAsync(url, { clientId: `${prefix}-watch`, reconnectPeriod: 0 });
  const states = new Map<string, number[]>();
  const events: Watch['events'] = [];
  let total = 0;
  client.on('message', (topic, payload, packet) => {
    const at = performance.now();
    if (packet.retain) return; // retained before the subscription (none on the bench's fresh broker)
    const [, , meterKey, leaf] = topic.split('/');
    if (meterKey === undefined) return;
    if (leaf === 'state') {
      total += 1;
      const list = states.get(meterKey) ?? [];
      list.push(at);
      states.set(meterKey, list);
    } else if (leaf === 'event') {
      events.push({ meterKey, name: String((JSON.parse(payload.toString('utf8')) as { event?: unknown }).event), at });
    }
  });
  await client.subscribeAsync([`${prefix}/${GW}/+/state`, `${prefix}/${GW}/+/event`], { qos: 1 });
  return { states, events, total: () => total, close: () => client.endAsync() };
}

// ---------------------------------------------------------------------------------------------
// Peak memory

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
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let peak = 0;
  let done = false;
  void exited.then(() => (done = true));
  while (!done && child.pid !== undefined) {
    peak = Math.max(peak, (await vmHwmKb(child.pid)) ?? 0);
    await sleep(5);
  }
  await exited;
  return peak / 1024;
}

// ---------------------------------------------------------------------------------------------
// Driving the bench

/** Sends `count` telegrams round-robin over the meters at `rate` per second; returns what was sent with its time. */
async function drive(bench: PtyBench, o: { count: number; rate: number; from?: number; onTick?: () => Promise<void> }): Promise<{ sent: SentTelegram[]; at: number[] }> {
  const sent: SentTelegram[] = [];
  const at: number[] = [];
  const start = performance.now();
  let next = o.from ?? 0;
  while (sent.length < o.count) {
    const due = o.rate === Infinity ? o.count : Math.min(o.count, Math.floor(((performance.now() - start) * o.rate) / 1000) + 1);
    while (sent.length < due) {
      at.push(performance.now());
      sent.push(bench.receiver.sendNow(next % bench.meters.length));
      next += 1;
    }
    if (o.onTick) await o.onTick();
    if (sent.length < o.count) await sleep(2);
  }
  return { sent, at };
}

const meterKeyOf = (t: SentTelegram): string => `${t.meter.address.manufacturer}-${t.meter.address.id}`;

// ---------------------------------------------------------------------------------------------
// In-process decode: the pipeline and the raw AES floor

interface Sample {
  telegram: Buffer;
  key: Buffer;
  iv: Buffer;
  payload: Buffer;
}

/** Kamstrup C1, ELL CI 0x8D: IV = M A CC SN 000000 (as wmbus.bench.ts). */
function sampleOf(t: SentTelegram): Sample {
  const telegram = t.telegram;
  if (telegram[10] !== 0x8d) throw new Error(`expected an ELL CI 0x8D telegram, got CI ${telegram[10]}`);
  const iv = Buffer.concat([telegram.subarray(2, 10), telegram.subarray(11, 12), telegram.subarray(13, 17), Buffer.alloc(3)]);
  return { telegram, key: t.meter.key, iv, payload: Buffer.from(telegram.subarray(17)) };
}

let sink = 0;

function timeDecode(samples: readonly Sample[], variant: 'floor' | 'pipeline', from: number, to: number, pipe: ReturnType<typeof createTelegramPipeline>): number {
  const start = performance.now();
  if (variant === 'floor') {
    for (let i = from; i < to; i++) {
      const s = samples[i] as Sample;
      const d = createDecipheriv('aes-128-ctr', s.key, s.iv);
      sink += d.update(s.payload).length;
      d.final();
    }
  } else {
    for (let i = from; i < to; i++) {
      const s = samples[i] as Sample;
      const keys = [s.key];
      const out = pipe.read(s.telegram, () => keys);
      sink += out.kind === 'reading' ? JSON.stringify(out.fields).length : 0;
    }
  }
  return performance.now() - start;
}

async function decodeRows(sent: readonly SentTelegram[], e2e: { readingsPerSecond: number; ms: number }, log: (line: string) => void): Promise<BenchRow[]> {
  const samples = sent.map(sampleOf);
  const pipe = createTelegramPipeline();
  for (const s of samples.slice(0, 50)) {
    const out = pipe.read(s.telegram, () => [s.key]);
    if (out.kind !== 'reading') throw new Error(`the pipeline did not decode a bench telegram: ${out.kind}`);
  }
  for (let w = 0; w < 2; w++) for (const v of ['floor', 'pipeline'] as const) timeDecode(samples, v, 0, samples.length, pipe);
  const times = await interleavedRounds({ variants: ['floor', 'pipeline'] as const, rounds: DECODE_ROUNDS, count: samples.length, slice: SLICE, time: (v, from, to) => timeDecode(samples, v, from, to, pipe) });
  const rate = (ms: number) => (samples.length * 1000) / ms;
  const decodeRate = rate(median(times.pipeline));
  log(`decode rounds (ms) floor ${times.floor.map((t) => t.toFixed(0)).join(' ')} | pipeline ${times.pipeline.map((t) => t.toFixed(0)).join(' ')} (sink ${sink > 0 ? 'ok' : '0'})`);
  return [
    row({
      name: `gateway end to end, ${BURST.toLocaleString('en')} readings`,
      unit: 'req/s',
      figure: e2e.readingsPerSecond,
      floor: decodeRate,
      goal: { kind: 'ratio-at-least', value: 0.5 },
      note:
        `readings/s (req = reading): ${BURST.toLocaleString('en')} telegrams of ${METERS} meters written at once to the im871a pty → \`openeks gateway\` → Mosquitto (QoS 1, acknowledged) → a subscriber, ` +
        `first write to last state ${seconds(e2e.ms)}; floor: createTelegramPipeline().read of the same telegrams in one process (median of ${DECODE_ROUNDS})`,
    }),
    row({
      name: `gateway decode ×${samples.length.toLocaleString('en')} (one pipeline)`,
      unit: 'req/s',
      figure: decodeRate,
      floor: rate(median(times.floor)),
      goal: { kind: 'ratio-at-least', value: 0.4 },
      note: `telegrams/s through createTelegramPipeline().read (header once, key, CTR, CRC verify, fields); floor: createDecipheriv aes-128-ctr of the same payloads, same keys, IVs precomputed; median of ${DECODE_ROUNDS} rounds interleaved in slices of ${SLICE.toLocaleString('en')}`,
    }),
  ];
}

// ---------------------------------------------------------------------------------------------
// The MQTT floor for the latency

async function mqttFloorP99(url: string, prefix: string): Promise<number> {
  const sub = await mqtt.connectAsync(url, { clientId: `${prefix}-floor-sub`, reconnectPeriod: 0 });
  const pub = await mqtt.connectAsync(url, { clientId: `${prefix}-floor-pub`, reconnectPeriod: 0 });
  const sentAt = new Map<number, number>();
  const latencies: number[] = [];
  sub.on('message', (_t, payload) => {
    const at = sentAt.get(Number(payload.toString('utf8')));
    if (at !== undefined) latencies.push(performance.now() - at);
  });
  await sub.subscribeAsync(`${prefix}/floor`, { qos: 1 });
  const count = LATENCY_RATE * LATENCY_SECONDS;
  const start = performance.now();
  let n = 0;
  while (n < count) {
    const due = Math.min(count, Math.floor(((performance.now() - start) * LATENCY_RATE) / 1000) + 1);
    while (n < due) {
      sentAt.set(n, performance.now());
      pub.publish(`${prefix}/floor`, String(n), { qos: 1 });
      n += 1;
    }
    await sleep(2);
  }
  await until(() => latencies.length >= count, 'the floor messages');
  await pub.endAsync();
  await sub.endAsync();
  return percentile(latencies, 99);
}

// ---------------------------------------------------------------------------------------------

async function run({ database, log }: BenchContext): Promise<BenchRow[]> {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const db = await database.create();
  const dir = await mkdtemp(join(tmpdir(), 'openeks-bench-gateway-'));
  const prefix = `openeks-bench-${process.pid}-${randomBytes(3).toString('hex')}`;
  const settings = loadSettings({
    [envVar.databaseUrl]: db.url,
    [envVar.masterKey]: `file:${join(dir, 'master.key')}`,
    [envVar.outboxDir]: join(dir, 'outbox'),
    [envVar.auditAnchors]: join(dir, 'anchors.jsonl'),
    [envVar.port]: '0',
    [envVar.logLevel]: 'silent',
  });
  const container = await createContainer({ ...settings, clock: systemClock, logger: pino({ level: 'silent' }) });
  const app = await buildApp(container, { logger: false, rateLimits: { global: 1_000_000_000, auth: 1_000_000_000 } });
  const actor = systemActorOf('openeks-bench-gateway');
  const meters = meterConfigs();
  const closers: (() => Promise<unknown>)[] = [];
  let gateway: ChildProcess | undefined;
  try {
    const setupStart = performance.now();
    const core = await prepareDemoCore(container, { dir, meters, actor, fresh: true, progress: log, demoDevices: 0 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    closers.push(() => app.close());
    const address = app.server.address();
    const coreUrl = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const broker = await testBroker(undefined, { persistence: false, config: ['max_queued_messages 0', 'max_inflight_messages 0'] });
    closers.push(() => broker.dispose());
    await broker.start();
    const bench = await startPtyBench({ stick: 'im871a', meters, seed: 14 });
    closers.push(() => bench.close());
    const w = await watch(broker.url, prefix);
    closers.push(() => w.close());
    const meterKeys = bench.meters.map((m) => `${m.address.manufacturer}-${m.address.id}`);
    const config = join(dir, 'gateway.yaml');
    await writeFile(config, gatewayYaml({ gatewayId: GW, links: [{ name: 'bench', device: bench.link, stick: 'im871a' }], coreUrl, cachePath: join(dir, 'keys.db'), topicPrefix: prefix, bufferPath: join(dir, 'buffer.db'), syncIntervalSeconds: SYNC_INTERVAL_S, mqttUrl: broker.url }));
    const token = (await readFile(core.tokenFile, 'utf8')).trim();
    const child = spawn(CLI, ['gateway', '--config', config], { cwd: ROOT, env: { ...process.env, ...gatewayEnv(token, randomBytes(32)) }, stdio: ['ignore', 'ignore', 'pipe'] });
    gateway = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      if (stderr.length < 4_000) stderr += d.toString('utf8');
    });
    const pid = child.pid;
    if (pid === undefined) throw new Error('could not start openeks gateway');
    let peakKb = 0;
    const sample = async () => void (peakKb = Math.max(peakKb, (await vmHwmKb(pid)) ?? 0));

    // Warm-up: keys synced and every meter heard once (its first reading published).
    const deadline = performance.now() + WAIT_MS;
    while (w.total() === 0) {
      if (child.exitCode !== null) throw new Error(`openeks gateway exited ${child.exitCode}: ${stderr}`);
      if (performance.now() > deadline) throw new Error(`no reading from the gateway in ${seconds(WAIT_MS)}: ${stderr}`);
      bench.receiver.sendNow(0);
      await sleep(250);
      await sample();
    }
    const before = w.total();
    await drive(bench, { count: METERS, rate: Infinity, from: 0 });
    await until(() => w.total() >= before + METERS, 'one reading per meter');
    log(`setup: core with ${METERS} meters, token, gateway synced and every meter heard in ${seconds(performance.now() - setupStart)}`);

    // 3. Peak RSS at 2,000 telegrams/s.
    const rssCount = RSS_RATE * RSS_SECONDS;
    const rssBase = w.total();
    const rssStart = performance.now();
    await drive(bench, { count: rssCount, rate: RSS_RATE, onTick: sample });
    const sendMs = performance.now() - rssStart;
    const deadlineRss = performance.now() + WAIT_MS;
    while (w.total() < rssBase + rssCount && performance.now() < deadlineRss) {
      await sample();
      await sleep(POLL_MS);
    }
    await sample();
    const rssDone = w.total() - rssBase;
    const helpMb = await helpPeakMb();
    log(`rss: ${rssCount.toLocaleString('en')} telegrams sent in ${seconds(sendMs)}, ${rssDone.toLocaleString('en')} readings received in ${seconds(performance.now() - rssStart)}; peak ${(peakKb / 1024).toFixed(1)} MB, --help ${helpMb.toFixed(1)} MB`);
    const rssRow = row({
      name: `gateway peak RSS, ${METERS.toLocaleString('en')} meters at ${RSS_RATE.toLocaleString('en')} telegrams/s`,
      unit: 'MB',
      figure: peakKb / 1024,
      floor: helpMb,
      goal: { kind: 'figure-below', value: 60 },
      note: `VmHWM of \`openeks gateway\` (compiled CLI) from start through the warm-up and ${rssCount.toLocaleString('en')} telegrams at ${RSS_RATE}/s on the im871a pty (${rssDone.toLocaleString('en')} readings published meanwhile); floor: VmHWM of \`openeks --help\``,
    });

    // 1. Burst end to end.
    const burstBase = w.total();
    const burst = await drive(bench, { count: BURST, rate: Infinity });
    await until(() => w.total() >= burstBase + BURST, `${BURST} readings of the burst`, 2 * WAIT_MS).catch((err: unknown) => {
      throw new Error(`${err instanceof Error ? err.message : String(err)} (${(w.total() - burstBase).toLocaleString('en')} arrived; events ${w.events.length})`);
    });
    const lastAt = Math.max(...burst.sent.map((t) => w.states.get(meterKeyOf(t))?.at(-1) ?? 0));
    const burstMs = lastAt - (burst.at[0] ?? lastAt);
    const e2e = { readingsPerSecond: (BURST * 1000) / burstMs, ms: burstMs };
    log(`burst: ${BURST.toLocaleString('en')} readings in ${seconds(burstMs)}`);

    // 2. Latency at 1,000 readings/s: the k-th state of a meter answers its k-th telegram (in order, none lost).
    const marks = new Map(meterKeys.map((k) => [k, w.states.get(k)?.length ?? 0]));
    const paced = await drive(bench, { count: LATENCY_RATE * LATENCY_SECONDS, rate: LATENCY_RATE });
    await until(() => w.total() >= burstBase + BURST + paced.sent.length, 'the paced readings');
    const seen = new Map<string, number>();
    const latencies = paced.sent.map((t, i) => {
      const k = meterKeyOf(t);
      const nth = seen.get(k) ?? 0;
      seen.set(k, nth + 1);
      const got = w.states.get(k)?.[(marks.get(k) ?? 0) + nth];
      if (got === undefined) throw new Error(`no state for ${k} telegram ${nth}`);
      return got - (paced.at[i] ?? got);
    });
    const floorP99 = await mqttFloorP99(broker.url, prefix);
    const latencyRow = row({
      name: `gateway publish latency p99 at ${LATENCY_RATE.toLocaleString('en')} readings/s`,
      unit: 'ms',
      figure: percentile(latencies, 99),
      floor: floorP99,
      goal: { kind: 'figure-below', value: 50 },
      note: `telegram written to the pty → its state at the subscriber, ${paced.sent.length.toLocaleString('en')} telegrams over ${LATENCY_SECONDS} s (p50 ${percentile(latencies, 50).toFixed(1)} ms); floor: p99 of a plain MQTT client publishing QoS 1 to the same Mosquitto at the same rate`,
    });

    // 5. Revocation: meter 0's grant revoked in the core; it keeps sending every 500 ms.
    const victim = meterKeys[0] ?? '';
    const victimMeter = meters[0];
    if (victimMeter === undefined) throw new Error('no meter');
    const { reader } = await container.grants.listOf({ principal: systemPrincipal, actor, email: GATEWAY_EMAIL });
    const { items } = await container.devices.list({ principal: systemPrincipal, actor, query: { serial: victimMeter.id, manufacturer: manufacturerOf(victimMeter), limit: 2 } });
    const deviceId = items[0]?.id;
    if (deviceId === undefined) throw new Error('the revoked meter is not in the core');
    const revokedAt = performance.now();
    await container.grants.revoke({ principal: systemPrincipal, actor, readerId: reader.id, selection: { ids: [deviceId] } });
    const refused = () => w.events.some((e) => e.meterKey === victim && e.at > revokedAt && /no_right|unknown_key/.test(e.name));
    const revokeDeadline = performance.now() + 2 * WAIT_MS;
    while (!refused()) {
      if (performance.now() > revokeDeadline) throw new Error(`${victim} was still published ${seconds(2 * WAIT_MS)} after its revocation`);
      bench.receiver.sendNow(0);
      await sleep(500);
    }
    const lastState = (w.states.get(victim) ?? []).filter((at) => at > revokedAt).at(-1) ?? revokedAt;
    const revocationMs = lastState - revokedAt;
    log(`revocation: last reading of ${victim} ${seconds(revocationMs)} after the revocation`);
    const revocationRow = row({
      name: 'gateway revocation → last reading published',
      unit: 'ms',
      figure: Math.max(revocationMs, 1),
      floor: SYNC_INTERVAL_S * 1000,
      goal: { kind: 'figure-below', value: 60_000 },
      note: `a grant revoked in the core (grants.revoke) while the meter sends every 500 ms: time to its last state before the gateway reported it refused; floor: the default sync interval (${SYNC_INTERVAL_S} s)`,
    });

    const decode = await decodeRows(burst.sent, e2e, log);
    return [decode[0] as BenchRow, latencyRow, rssRow, decode[1] as BenchRow, revocationRow];
  } finally {
    if (gateway && gateway.exitCode === null && gateway.signalCode === null) {
      const g = gateway;
      const gone = new Promise<void>((r) => g.once('exit', () => r()));
      g.kill('SIGTERM');
      const killer = setTimeout(() => g.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(killer);
    }
    for (const close of closers.reverse()) await close().catch(() => undefined);
    await container.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const bench: Bench = { name: 'gateway', run };
