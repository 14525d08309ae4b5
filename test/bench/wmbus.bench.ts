import { execFileSync, spawn } from 'node:child_process';
import { createDecipheriv } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createTelegramPipeline, decodeMeter, decodeTelegram, recordsOf, type MeterIdentity } from '../../drivers/wmbus/index.js';
import { startBench } from '../../simulators/bench.js';
import { keysCsv } from '../../simulators/key-export.js';
import { createMeter } from '../../simulators/meters/create-meter.js';
import type { MeterConfig, MeterKind } from '../../simulators/meters/meter-types.js';
import { createRng } from '../../src/lib/prng.js';
import { type Bench, type BenchContext, type BenchRow, interleavedRounds, median, row, seconds } from './kit.js';

// Two figures for the wM-Bus path.
//
// 1. Telegrams decoded per second by the whole pipeline (link layer, ELL AES-128-CTR decryption
//    with its CRC check, records, meter driver, JSON) on 20,000 simulated Kamstrup telegrams
//    (MULTICAL 21, flowIQ 2200, MULTICAL 403, each meter with its own key), beside raw node:crypto
//    AES-128-CTR decryption of the same ciphertext bytes with the same keys and IVs (the IVs and
//    payload slices are prepared outside the timed loop). Interleaved in slices, median of rounds.
//    Goal: ratio ≥ 0.2. The table's unit reads "req/s": one request = one telegram.
//    The same telegrams through the one decode pipeline (drivers/wmbus/pipeline.ts: header once,
//    keys from a lookup, decryption, verification, the meter's formats, records, driver → the
//    reading's fields), beside the same floor: goal ratio ≥ 0.4. Decoding only: serializing the
//    reading is the publisher's work (the first line includes JSON.stringify). One pipeline for all
//    rounds, as a gateway keeps one; check() proves it gives the same fields as the layers.
// 2. Peak RSS (VmHWM) of `openeks wmbus listen --json` hearing 1,000 simulated meters through an
//    im871a stick on a TCP port on 127.0.0.1, beside the peak RSS of `openeks --help` (the CLI
//    loaded and nothing run). Both run through bin/openeks, the installed command, with the heap
//    sizing it chooses per command. The CLI is built first (`npm run build:cli`), so bin/openeks.mjs
//    runs the compiled dist/ as an installed `openeks` does, not the sources through tsx.
//    Goal: under 80 MB.

const TELEGRAMS = 20_000;
const METERS_PER_KIND = 100;
const KAMSTRUP_KINDS: readonly MeterKind[] = ['multical21', 'flowiq2200', 'multical403'];
const WARMUP_ROUNDS = 2;
const ROUNDS = 9;
const SLICE = 2_000;

const LISTEN_METERS = 1_000;
const LISTEN_INTERVAL_S = 0.5; // 1,000 meters → ~2,000 telegrams/s
const LISTEN_COUNT = 20_000; // ~10 s at that rate
const LISTEN_TIMEOUT_MS = 30_000;
const POLL_MS = 20;

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = join(ROOT, 'bin/openeks');

function meterConfigs(count: number, kinds: readonly MeterKind[], seed: number, intervalSeconds: number): MeterConfig[] {
  const rng = createRng(seed);
  const hex = (): string => Array.from({ length: 16 }, () => rng.int(256).toString(16).padStart(2, '0')).join('').toUpperCase();
  return Array.from({ length: count }, (_, i) => ({
    kind: kinds[i % kinds.length] as MeterKind,
    id: (60_000_000 + i).toString(),
    key: hex(),
    intervalSeconds,
  }));
}

// ---------------------------------------------------------------------------------------------
// 1. Decode throughput

interface Sample {
  telegram: Buffer;
  key: Buffer;
  /** The key as a key source hands it to the pipeline (made outside the timed loop). */
  keys: readonly Buffer[];
  /** Floor input: AES-128-CTR IV (M A CC SN 00 00 00) and the ciphertext after the ELL. */
  iv: Buffer;
  payload: Buffer;
}

/**
 * Stripped Kamstrup C1 telegram: L C M(2) A(6) CI=8D CC ACC SN(4) | encrypted (payload CRC, CI, records).
 * The IV is M A CC SN 000000, as in drivers/wmbus' ELL.
 */
function sampleOf(telegram: Buffer, key: Buffer): Sample {
  if (telegram[10] !== 0x8d) throw new Error(`expected an ELL CI 0x8D telegram, got CI ${telegram[10]}`);
  const iv = Buffer.concat([telegram.subarray(2, 10), telegram.subarray(11, 12), telegram.subarray(13, 17), Buffer.alloc(3)]);
  return { telegram, key, keys: [key], iv, payload: Buffer.from(telegram.subarray(17)) };
}

function makeSamples(): Sample[] {
  const meters = meterConfigs(METERS_PER_KIND * KAMSTRUP_KINDS.length, KAMSTRUP_KINDS, 7, 16).map((c, i) => createMeter(c, 1_000 + i));
  const samples: Sample[] = [];
  for (let i = 0; i < TELEGRAMS; i++) {
    const meter = meters[i % meters.length];
    if (meter === undefined) throw new Error('no meter');
    samples.push(sampleOf(meter.next().telegram, meter.key));
  }
  return samples;
}

type Variant = 'floor' | 'pipeline' | 'one';
const VARIANTS: readonly Variant[] = ['floor', 'pipeline', 'one'];

// The one decode pipeline; its key lookup answers the telegram in hand (set before each read).
const onePipeline = createTelegramPipeline();
let keysInHand: readonly Buffer[] = [];
const keysFor = (_m: MeterIdentity): readonly Buffer[] => keysInHand;

function one(s: Sample): number {
  keysInHand = s.keys;
  const r = onePipeline.read(s.telegram, keysFor);
  if (r.kind !== 'reading') throw new Error(`the pipeline answered ${r.kind}`);
  return r.accessNumber + 1;
}

function oneJson(s: Sample): string {
  keysInHand = s.keys;
  const r = onePipeline.read(s.telegram, keysFor);
  if (r.kind !== 'reading') throw new Error(`the pipeline answered ${r.kind}`);
  return JSON.stringify({ manufacturer: r.meter.manufacturer, id: r.meter.id, driver: r.driver, fields: r.fields });
}

function pipeline(s: Sample): string {
  const t = decodeTelegram(s.telegram, { crc: 'stripped', key: s.key });
  const reading = decodeMeter(t, recordsOf(t));
  return JSON.stringify({ manufacturer: t.meterAddress.manufacturer, id: t.meterAddress.id, driver: reading.driver, fields: reading.fields });
}

function floor(s: Sample): Buffer {
  const d = createDecipheriv('aes-128-ctr', s.key, s.iv);
  const head = d.update(s.payload);
  d.final();
  return head;
}

let sink = 0;

function timeSlice(samples: readonly Sample[], variant: Variant, from: number, to: number): number {
  const start = performance.now();
  if (variant === 'floor') {
    for (let i = from; i < to; i++) sink += floor(samples[i] as Sample).length;
  } else if (variant === 'one') {
    for (let i = from; i < to; i++) sink += one(samples[i] as Sample);
  } else {
    for (let i = from; i < to; i++) sink += pipeline(samples[i] as Sample).length;
  }
  return performance.now() - start;
}

function check(samples: readonly Sample[]): void {
  for (const [i, s] of samples.entries()) {
    const json = JSON.parse(pipeline(s)) as { fields: Record<string, unknown>; driver: string };
    if (Object.keys(json.fields).length === 0) throw new Error(`telegram ${i}: no fields decoded`);
    // Results identical: the one pipeline gives the same JSON as the layers called one by one.
    if (oneJson(s) !== JSON.stringify(json)) throw new Error(`telegram ${i}: the one pipeline and the layers disagree`);
    // The plaintext is payload CRC (2) then CI 0x78 (full frame).
    if (floor(s)[2] !== 0x78) throw new Error(`telegram ${i}: the floor did not decrypt to a full frame`);
  }
}

async function decodeRows(log: (line: string) => void): Promise<BenchRow[]> {
  const setupStart = performance.now();
  const samples = makeSamples();
  check(samples);
  log(`setup: ${TELEGRAMS.toLocaleString('en')} telegrams from ${METERS_PER_KIND * KAMSTRUP_KINDS.length} meters, checked, in ${seconds(performance.now() - setupStart)}`);
  for (let w = 0; w < WARMUP_ROUNDS; w++) for (const v of VARIANTS) timeSlice(samples, v, 0, TELEGRAMS);

  const times = await interleavedRounds({ variants: VARIANTS, rounds: ROUNDS, count: TELEGRAMS, slice: SLICE, time: (variant, from, to) => timeSlice(samples, variant, from, to) });
  log(`rounds (ms) ${VARIANTS.map((v) => `${v} ${times[v].map((t) => t.toFixed(0)).join(' ')}`).join(' | ')} (sink ${sink > 0 ? 'ok' : '0'})`);
  const perSecond = (ms: number): number => (TELEGRAMS * 1000) / ms;
  const perRound = times.pipeline.map((t, i) => (times.floor[i] as number) / t);
  const perRoundOne = times.one.map((t, i) => (times.floor[i] as number) / t);
  return [row({
    name: `wmbus decode ×${TELEGRAMS.toLocaleString('en')} telegrams`,
    unit: 'req/s',
    figure: perSecond(median(times.pipeline)),
    floor: perSecond(median(times.floor)),
    goal: { kind: 'ratio-at-least', value: 0.2 },
    note:
      `telegrams/s (req = telegram); decodeTelegram(stripped, key) → recordsOf → decodeMeter → JSON.stringify on MULTICAL 21 / flowIQ 2200 / MULTICAL 403 telegrams; ` +
      `floor: createDecipheriv aes-128-ctr of the same ciphertext, same keys, IVs precomputed; median of ${ROUNDS} rounds interleaved in slices of ${SLICE.toLocaleString('en')}; ` +
      `per-round ratios ${perRound.map((x) => x.toFixed(2)).join(' ')}`,
  }), row({
    name: 'pipeline decode vs raw node:crypto AES of the same payloads',
    unit: 'req/s',
    figure: perSecond(median(times.one)),
    floor: perSecond(median(times.floor)),
    goal: { kind: 'ratio-at-least', value: 0.4 },
    note:
      `telegrams/s (req = telegram); createTelegramPipeline().read(telegram, keysFor) to the reading's fields (no JSON), one pipeline for all rounds, on the same ${TELEGRAMS.toLocaleString('en')} telegrams; ` +
      `floor: createDecipheriv aes-128-ctr of the same ciphertext, same keys, IVs precomputed; median of ${ROUNDS} rounds interleaved in slices of ${SLICE.toLocaleString('en')}; ` +
      `per-round ratios ${perRoundOne.map((x) => x.toFixed(2)).join(' ')}`,
  })];
}

// ---------------------------------------------------------------------------------------------
// 2. Peak memory of `wmbus listen`

async function vmHwmKb(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined; // exited between polls
  }
}

interface ChildPeak {
  peakMb: number;
  code: number | null;
  timedOut: boolean;
  stderr: string;
}

/**
 * Runs the CLI with stdout discarded and polls its VmHWM (the kernel's peak resident set, which
 * only grows) until it exits; killed (by its own pid) after `timeoutMs`.
 */
async function peakOf(args: readonly string[], timeoutMs: number): Promise<ChildPeak> {
  const child = spawn(CLI, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4_000) stderr += d.toString('utf8');
  });
  let exited = false;
  let code: number | null = null;
  const done = new Promise<void>((r) =>
    child.once('exit', (c) => {
      exited = true;
      code = c;
      r();
    }),
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('could not start the CLI');
  let peakKb = 0;
  let timedOut = false;
  const deadline = performance.now() + timeoutMs;
  while (!exited) {
    const kb = await vmHwmKb(pid);
    if (kb !== undefined && !exited) peakKb = Math.max(peakKb, kb);
    if (performance.now() > deadline) {
      timedOut = true;
      child.kill('SIGKILL');
      break;
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  await done;
  return { peakMb: peakKb / 1024, code, timedOut, stderr };
}

async function listenRow(log: (line: string) => void): Promise<BenchRow> {
  execFileSync('npm', ['run', '--silent', 'build:cli'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  const dir = await mkdtemp(join(tmpdir(), 'openeks-bench-wmbus-'));
  const meters = meterConfigs(LISTEN_METERS, KAMSTRUP_KINDS, 11, LISTEN_INTERVAL_S);
  const keys = join(dir, 'keys.csv');
  await writeFile(keys, keysCsv(meters), { mode: 0o600 });
  const sim = await startBench({ seed: 5, stick: 'im871a', link: { kind: 'tcp', port: 0 }, meters });
  try {
    let sent = 0;
    sim.receiver.onSent(() => void (sent += 1));
    const floorRun = await peakOf(['--help'], LISTEN_TIMEOUT_MS);
    if (floorRun.code !== 0) throw new Error(`openeks --help exited ${floorRun.code}: ${floorRun.stderr}`);
    const start = performance.now();
    const sentBefore = sent;
    const listen = await peakOf(['wmbus', 'listen', '--link', sim.link, '--stick', 'im871a', '--keys', keys, '--json', '--count', String(LISTEN_COUNT)], LISTEN_TIMEOUT_MS);
    const ms = performance.now() - start;
    if (listen.timedOut) throw new Error(`wmbus listen did not hear ${LISTEN_COUNT} telegrams in ${seconds(LISTEN_TIMEOUT_MS)}: ${listen.stderr}`);
    if (listen.code !== 0) throw new Error(`wmbus listen exited ${listen.code}: ${listen.stderr}`);
    log(`listen: ${LISTEN_COUNT.toLocaleString('en')} telegrams heard in ${seconds(ms)} (${sent - sentBefore} sent meanwhile), peak ${listen.peakMb.toFixed(1)} MB; --help peak ${floorRun.peakMb.toFixed(1)} MB`);
    return row({
      name: `wmbus listen, ${LISTEN_METERS.toLocaleString('en')} meters, peak RSS`,
      unit: 'MB',
      figure: listen.peakMb,
      floor: floorRun.peakMb,
      goal: { kind: 'figure-below', value: 80 },
      note:
        `VmHWM of \`openeks wmbus listen --stick im871a --json --count ${LISTEN_COUNT}\` (stdout discarded) over TCP on 127.0.0.1, ` +
        `${LISTEN_METERS} simulated Kamstrup meters every ${LISTEN_INTERVAL_S} s with their keys, ${seconds(ms)}; floor: VmHWM of \`openeks --help\``,
    });
  } finally {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function run({ log }: BenchContext): Promise<BenchRow[]> {
  return [...(await decodeRows(log)), await listenRow(log)];
}

export const bench: Bench = { name: 'wmbus', run };
