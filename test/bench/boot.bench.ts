import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { openDatabase } from '../../src/core/db/database.js';
import { openMasterKeyProvider } from '../../src/core/vault/master-key/index.js';
import { createVault } from '../../src/core/vault/vault-service.js';
import { systemClock } from '../../src/lib/clock.js';
import { parseMasterKeySpec } from '../../src/lib/master-key-spec.js';
import { bootToReady, type BootTiming } from './boot-support.js';
import { type Bench, type BenchContext, type BenchRow, mb, median, row, seconds } from './kit.js';

// Boot to the first 200 from /readyz on a database holding 1,000,000 wrapped device keys, against
// the same boot on an empty, freshly migrated database (the floor). Goal: under 2 s — boot opens
// the active KEK and the canary only and must not touch every key. Measured in this process
// (median of 3, after one warm-up boot) and, for peak RSS, in fresh processes (boot-probe.ts).

const KEY_ROWS = 1_000_000;
const KEY_TYPES = ['DEK', 'AK'] as const;
const DEVICES = KEY_ROWS / KEY_TYPES.length;
/** Real vault ciphertexts, reused cyclically by the million rows. */
const SAMPLES = 1_000;
/** A new data key every this many encryptions, so the rows reference several data keys. */
const KEYS_PER_DATA_KEY = 100;
const BOOTS = 3;
const GOAL_MS = 2_000;

const run$ = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

const pad = (n: number): string => n.toString().padStart(7, '0');
const deviceId = (n: number): string => `dev_${pad(n)}`;
const keyRowId = (n: number): string => `key_${pad(n)}`;
const deviceOf = (row: number): number => Math.floor(row / KEY_TYPES.length);
const keyTypeOf = (row: number): string => KEY_TYPES[row % KEY_TYPES.length] as string;

interface Sample {
  ciphertext: string;
  dataKeyId: string;
}

/**
 * Initialises the vault of a migrated database and encrypts SAMPLES device keys through it, with
 * the contexts of the first SAMPLES rows (so those rows are genuinely decryptable).
 */
async function seedVault(url: string, masterKey: string): Promise<Sample[]> {
  const db = openDatabase(url);
  const provider = await openMasterKeyProvider(parseMasterKeySpec(masterKey, {}, 'OPENEKS_BENCH_MASTER_KEY'));
  const vault = createVault({ db, clock: systemClock, provider, limits: { dataKeyMaxOperations: KEYS_PER_DATA_KEY } });
  try {
    const status = await vault.init();
    if (status.sealed) throw new Error(`the bench vault is sealed: ${status.reason ?? status.label}`);
    const samples: Sample[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const context = { table: 'device_keys', rowId: keyRowId(i), deviceId: deviceId(deviceOf(i)), keyType: keyTypeOf(i), version: 1 };
      samples.push(await vault.encrypt({ plaintext: randomBytes(16), context }));
    }
    return samples;
  } finally {
    await vault.close();
    await provider.close();
    await db.close();
  }
}

function fillSqlite(path: string, samples: readonly Sample[], log: (line: string) => void): void {
  const sqlite = new SqliteDatabase(path);
  try {
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = OFF');
    const now = new Date().toISOString();
    const device = sqlite.prepare("insert into devices (id, manufacturer, serial, kind, medium, created_at) values (?, 'KAM', ?, 'meter', 'heat', ?)");
    const key = sqlite.prepare("insert into device_keys (id, device_id, key_type, version, state, ciphertext, data_key_id, created_at, updated_at) values (?, ?, ?, 1, 'active', ?, ?, ?, ?)");
    const batch = 100_000;
    sqlite.transaction(() => {
      for (let d = 0; d < DEVICES; d++) device.run(deviceId(d), pad(d), now);
    })();
    for (let from = 0; from < KEY_ROWS; from += batch) {
      sqlite.transaction(() => {
        for (let i = from; i < Math.min(KEY_ROWS, from + batch); i++) {
          const sample = samples[i % SAMPLES] as Sample;
          key.run(keyRowId(i), deviceId(deviceOf(i)), keyTypeOf(i), sample.ciphertext, sample.dataKeyId, now, now);
        }
      })();
      if ((from + batch) % 500_000 === 0) log(`  ${(from + batch).toLocaleString('en')} key rows`);
    }
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
}

async function fillPostgres(url: string, samples: readonly Sample[], log: (line: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const now = new Date().toISOString();
    await client.query('begin');
    await client.query('create temp table bench_samples (n integer primary key, ciphertext text not null, data_key_id text not null) on commit drop');
    for (let from = 0; from < SAMPLES; from += 500) {
      const chunk = samples.slice(from, from + 500);
      const values = chunk.map((_, i) => `($${i * 3 + 1}::integer, $${i * 3 + 2}, $${i * 3 + 3})`).join(', ');
      await client.query(
        `insert into bench_samples (n, ciphertext, data_key_id) values ${values}`,
        chunk.flatMap((s, i) => [from + i, s.ciphertext, s.dataKeyId]),
      );
    }
    await client.query(
      `insert into devices (id, manufacturer, serial, kind, medium, created_at)
       select 'dev_' || lpad(g::text, 7, '0'), 'KAM', lpad(g::text, 7, '0'), 'meter', 'heat', $1
       from generate_series(0, $2::integer - 1) g`,
      [now, DEVICES],
    );
    const batch = 250_000;
    for (let from = 0; from < KEY_ROWS; from += batch) {
      await client.query(
        `insert into device_keys (id, device_id, key_type, version, state, ciphertext, data_key_id, created_at, updated_at)
         select 'key_' || lpad(g::text, 7, '0'), 'dev_' || lpad((g / $4::integer)::text, 7, '0'),
                (array['DEK', 'AK'])[g % $4::integer + 1], 1, 'active', s.ciphertext, s.data_key_id, $1, $1
         from generate_series($2::integer, $3::integer - 1) g join bench_samples s on s.n = g % $5::integer`,
        [now, from, Math.min(KEY_ROWS, from + batch), KEY_TYPES.length, SAMPLES],
      );
      log(`  ${Math.min(KEY_ROWS, from + batch).toLocaleString('en')} key rows`);
    }
    await client.query('commit');
    // A database in service has been vacuumed and analysed; autovacuum must not run during the boots.
    await client.query('vacuum analyze devices, device_keys');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

async function countKeyRows(url: string): Promise<number> {
  const db = openDatabase(url);
  try {
    const result = await db.kysely
      .selectFrom('device_keys')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(result.n);
  } finally {
    await db.close();
  }
}

interface Probe extends BootTiming {
  rssBeforeBytes: number;
  maxRssBytes: number;
}

async function probe(url: string, masterKey: string): Promise<Probe> {
  const { stdout } = await run$(process.execPath, ['--import', 'tsx', join(here, 'boot-probe.ts')], {
    cwd: repoRoot,
    env: { ...process.env, OPENEKS_BENCH_PROBE_DATABASE_URL: url, OPENEKS_BENCH_PROBE_MASTER_KEY: masterKey },
    timeout: 120_000,
  });
  return JSON.parse(stdout.trim().split('\n').pop() ?? '') as Probe;
}

const fmt = (values: readonly number[]): string => values.map((v) => v.toFixed(0)).join(' ');

async function run({ database, log }: BenchContext): Promise<BenchRow[]> {
  const masterKey = `env:${randomBytes(32).toString('base64')}`;
  const emptyMasterKey = `env:${randomBytes(32).toString('base64')}`;

  const setupStart = performance.now();
  const full = await database.create();
  const samples = await seedVault(full.url, masterKey);
  log(`setup: vault initialised, ${SAMPLES.toLocaleString('en')} keys encrypted under ${new Set(samples.map((s) => s.dataKeyId)).size} data keys; inserting ${KEY_ROWS.toLocaleString('en')} key rows on ${DEVICES.toLocaleString('en')} devices`);
  if (database.kind === 'sqlite') fillSqlite(full.url.slice('sqlite:'.length), samples, log);
  else await fillPostgres(full.url, samples, log);
  const rows = await countKeyRows(full.url);
  if (rows !== KEY_ROWS) throw new Error(`the fixture holds ${rows} key rows, not ${KEY_ROWS}`);
  const empty = await database.create();
  log(`setup: ${rows.toLocaleString('en')} key rows in ${seconds(performance.now() - setupStart)} (not measured)`);

  try {
    // The first boot in a process loads and compiles Fastify, pino, the routes…: not measured.
    await bootToReady(empty.url, emptyMasterKey);
    const fullRuns: BootTiming[] = [];
    const emptyRuns: BootTiming[] = [];
    for (let i = 0; i < BOOTS; i++) {
      if (i % 2 === 0) {
        fullRuns.push(await bootToReady(full.url, masterKey));
        emptyRuns.push(await bootToReady(empty.url, emptyMasterKey));
      } else {
        emptyRuns.push(await bootToReady(empty.url, emptyMasterKey));
        fullRuns.push(await bootToReady(full.url, masterKey));
      }
    }
    log(`in-process boots (ms) 1M keys ${fmt(fullRuns.map((r) => r.readyMs))} | empty ${fmt(emptyRuns.map((r) => r.readyMs))}`);

    const fullProbes: Probe[] = [];
    const emptyProbes: Probe[] = [];
    for (let i = 0; i < BOOTS; i++) {
      fullProbes.push(await probe(full.url, masterKey));
      emptyProbes.push(await probe(empty.url, emptyMasterKey));
    }
    log(`fresh-process boots (ms) 1M keys ${fmt(fullProbes.map((r) => r.readyMs))} | empty ${fmt(emptyProbes.map((r) => r.readyMs))}`);
    log(`fresh-process peak RSS (MB) 1M keys ${fmt(fullProbes.map((r) => mb(r.maxRssBytes)))} | empty ${fmt(emptyProbes.map((r) => mb(r.maxRssBytes)))}`);

    const ready = (runs: readonly BootTiming[]): number => median(runs.map((r) => r.readyMs));
    const container = (runs: readonly BootTiming[]): number => median(runs.map((r) => r.containerMs));
    const growth = (probes: readonly Probe[]): number => median(probes.map((p) => mb(p.maxRssBytes - p.rssBeforeBytes)));
    const n = KEY_ROWS.toLocaleString('en');
    return [
      row({
        name: `boot → /readyz 200, ${n} keys`,
        unit: 'ms',
        figure: ready(fullRuns),
        floor: ready(emptyRuns),
        goal: { kind: 'figure-below', value: GOAL_MS },
        note: `median of ${BOOTS} in-process boots after a warm-up (createContainer ${container(fullRuns).toFixed(0)} vs ${container(emptyRuns).toFixed(0)} ms of it); floor: the same boot on an empty, freshly migrated database`,
      }),
      row({
        name: `boot → /readyz 200, ${n} keys, fresh process`,
        unit: 'ms',
        figure: ready(fullProbes),
        floor: ready(emptyProbes),
        goal: { kind: 'figure-below', value: GOAL_MS },
        note: `median of ${BOOTS}; a new node process each, modules loaded before the clock starts (cold JIT)`,
      }),
      row({
        name: `boot peak RSS, ${n} keys, fresh process`,
        unit: 'MB',
        figure: median(fullProbes.map((p) => mb(p.maxRssBytes))),
        floor: median(emptyProbes.map((p) => mb(p.maxRssBytes))),
        goal: { kind: 'info' },
        note: `median of ${BOOTS}; whole-process peak (maxRSS), module loading included; growth during boot ${growth(fullProbes).toFixed(0)} vs ${growth(emptyProbes).toFixed(0)} MB`,
      }),
    ];
  } finally {
    await empty.cleanup();
    await full.cleanup();
  }
}

export const bench: Bench = { name: 'boot', run };
