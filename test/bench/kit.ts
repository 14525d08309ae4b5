import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { openDatabase, type Db } from '../../src/core/db/database.js';
import { migrateToLatest } from '../../src/core/db/migrate.js';
import { openMasterKeyProvider } from '../../src/core/vault/master-key/index.js';
import { createVault, type Vault } from '../../src/core/vault/vault-service.js';
import { systemClock } from '../../src/lib/clock.js';
import { parseMasterKeySpec } from '../../src/lib/master-key-spec.js';
import type { Logger } from '../../src/lib/logger.js';
import type { Actor } from '../../src/core/access/actor.js';
import type { PersonPrincipal } from '../../src/core/access/principal.js';

// What every bench file shares: the shape of a bench and of its result rows, the databases a
// bench runs on, and the small helpers for timing on a shared, noisy machine (every figure is
// compared with a floor measured in the same run, never with a number from another day).

/**
 * How a row passes. `ratio-at-least`: floor cost / figure cost must reach the value (1.0 = as
 * fast as the floor). `figure-below`: an absolute bound in the row's unit. `info`: no goal.
 */
export type Goal = { kind: 'ratio-at-least'; value: number } | { kind: 'figure-below'; value: number } | { kind: 'info' };

export interface BenchRow {
  name: string;
  /** `keys/s`, `req/s` (higher is better), `ms`, `MB` or `B` (bytes; lower is better). */
  unit: Unit;
  figure: number;
  floor: number;
  /** Floor cost / figure cost: 1.0 means as cheap as the floor, higher is better. */
  ratio: number;
  goal: Goal;
  /** One line under the table: what the floor is, medians, anything needed to read the row. */
  note?: string;
}

export type Unit = 'keys/s' | 'req/s' | 'ms' | 'MB' | 'B';

export interface BenchContext {
  database: BenchDatabase;
  /** Progress and setup timings (stderr); the table goes to stdout. */
  log(line: string): void;
}

export interface Bench {
  /** Matched (substring, case-insensitive) by `npm run bench -- <filter>`. */
  name: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export function higherIsBetter(unit: Unit): boolean {
  return unit === 'keys/s' || unit === 'req/s';
}

/** A row whose ratio follows from the unit: throughput figure/floor, costs floor/figure. */
export function row(input: Omit<BenchRow, 'ratio'>): BenchRow {
  const ratio = higherIsBetter(input.unit) ? input.figure / input.floor : input.floor / input.figure;
  return { ...input, ratio };
}

export function passes(r: BenchRow): boolean | undefined {
  switch (r.goal.kind) {
    case 'ratio-at-least':
      return r.ratio >= r.goal.value;
    case 'figure-below':
      return r.figure < r.goal.value;
    case 'info':
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Databases

export interface BenchDb {
  url: string;
  /** Deletes the database (drops it on PostgreSQL, removes the temp dir on SQLite). */
  cleanup(): Promise<void>;
}

export interface BenchDatabase {
  kind: 'sqlite' | 'postgres';
  /** A fresh, migrated, empty database. Cleaned up by the runner at the latest. */
  create(): Promise<BenchDb>;
}

const pendingCleanups = new Set<() => Promise<void>>();

/** Runs every cleanup not yet run (the runner calls it at the end and on Ctrl-C). */
export async function cleanupAll(): Promise<void> {
  const all = [...pendingCleanups];
  pendingCleanups.clear();
  for (const cleanup of all) await cleanup().catch(() => undefined);
}

function tracked(db: BenchDb): BenchDb {
  let done = false;
  const cleanup = async (): Promise<void> => {
    if (done) return;
    done = true;
    pendingCleanups.delete(cleanup);
    await db.cleanup();
  };
  pendingCleanups.add(cleanup);
  return { url: db.url, cleanup };
}

async function migrated(url: string): Promise<void> {
  const db = openDatabase(url);
  try {
    await migrateToLatest(db);
  } finally {
    await db.close();
  }
}

export async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

export function sqliteDatabase(): BenchDatabase {
  return {
    kind: 'sqlite',
    async create() {
      const dir = await mkdtemp(join(tmpdir(), 'openeks-bench-'));
      const db = tracked({ url: `sqlite:${join(dir, 'bench.db')}`, cleanup: () => rm(dir, { recursive: true, force: true }) });
      try {
        await migrated(db.url);
      } catch (err) {
        await db.cleanup();
        throw err;
      }
      return db;
    },
  };
}

/** Like test/support/test-db.ts: a uniquely named database on the server of `serverUrl`. */
export function postgresDatabase(serverUrl: string): BenchDatabase {
  return {
    kind: 'postgres',
    async create() {
      const name = `openeks_bench_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
      await adminQuery(serverUrl, `CREATE DATABASE "${name}"`);
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const db = tracked({ url: url.toString(), cleanup: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) });
      try {
        await migrated(db.url);
      } catch (err) {
        await db.cleanup();
        throw err;
      }
      return db;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Timing

setFlagsFromString('--expose-gc');
const exposedGc = runInNewContext('gc') as unknown;

/** A full collection before a timed round, so that setup garbage is not collected on its time. */
export function collectGarbage(): void {
  if (typeof exposedGc === 'function') (exposedGc as () => void)();
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** The p-th percentile (p in 0…100) by the nearest-rank method. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('percentile of nothing');
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] as number;
}

/** A signed-in plain user (a reader) as the services see him, for benches that call them directly. */
export function benchReader(userId: string, email: string, authenticatedAt: string): PersonPrincipal {
  return { kind: 'person', userId, email, name: null, language: 'en', sessionId: 'bench', stage: 'complete', aal: 1, authenticatedAt, roles: ['user'], customerAccountIds: [] };
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The CLI's actor as the benches name it in the audit trail. */
export function systemActorOf(userAgent: string): Actor {
  return { userId: null, role: 'system', ip: null, userAgent, requestId: null, authMethod: 'cli' };
}

export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };

export function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}

/**
 * Between slices the event loop turns, as between requests in the service: V8 runs the
 * scavenges it has scheduled and node frees the native contexts of collected objects there.
 * Collections are not forced: a variant that allocates more pays for the collections it causes
 * (in expectation; the variants take turns, so no one always follows the same other).
 */
export function settle(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Times every variant over items [0, count) in `rounds` rounds, interleaved in slices (the
 * variants take turns leading), so a noisy neighbour slows all of them alike. A full collection
 * before each round, an event-loop turn before each slice. Answers each variant's milliseconds
 * per round.
 */
export async function interleavedRounds<V extends string>(input: {
  variants: readonly V[];
  rounds: number;
  count: number;
  slice: number;
  /** Runs items [from, to) one way; answers the milliseconds it took. */
  time(variant: V, from: number, to: number): number | Promise<number>;
}): Promise<Record<V, number[]>> {
  const { variants, rounds, count, slice: size } = input;
  const times = new Map<V, number[]>(variants.map((v) => [v, []]));
  for (let r = 0; r < rounds; r++) {
    const totals = new Map<V, number>(variants.map((v) => [v, 0]));
    collectGarbage();
    for (let slice = 0; slice * size < count; slice++) {
      const from = slice * size;
      const to = Math.min(count, from + size);
      for (let v = 0; v < variants.length; v++) {
        const variant = variants[(v + slice + r) % variants.length] as V;
        await settle();
        totals.set(variant, (totals.get(variant) ?? 0) + (await input.time(variant, from, to)));
      }
    }
    for (const v of variants) times.get(v)?.push(totals.get(v) ?? 0);
  }
  return Object.fromEntries(times) as Record<V, number[]>;
}

// ---------------------------------------------------------------------------------------------
// A vault

/**
 * A fresh database with an initialised vault under a random master key for the body, closed
 * and deleted afterwards, whatever the body does.
 */
export async function withBenchVault<T>(database: BenchDatabase, body: (opened: { db: Db; vault: Vault }) => Promise<T>): Promise<T> {
  const target = await database.create();
  const db = openDatabase(target.url);
  const provider = await openMasterKeyProvider(parseMasterKeySpec(`env:${randomBytes(32).toString('base64')}`, {}, 'OPENEKS_BENCH_MASTER_KEY'));
  const vault = createVault({ db, clock: systemClock, provider });
  try {
    const status = await vault.init();
    if (status.sealed) throw new Error(`the bench vault is sealed: ${status.reason ?? status.label}`);
    return await body({ db, vault });
  } finally {
    await vault.close();
    await provider.close();
    await db.close();
    await target.cleanup();
  }
}
