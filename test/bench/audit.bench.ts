import { performance } from 'node:perf_hooks';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { PersonPrincipal } from '../../src/core/access/principal.js';
import { systemPrincipal } from '../../src/core/access/principal.js';
import { createContainer } from '../../src/core/container.js';
import { systemClock } from '../../src/lib/clock.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { newId } from '../../src/lib/ids.js';
import { testMasterKey } from '../harness.js';
import { type Bench, type BenchContext, type BenchRow, benchReader, median, percentile, row, seconds, silentLogger, systemActorOf } from './kit.js';

// The audit trail for everyone (docs/audit-trail.md), among 10,000,000 records: the view filtered
// to one device, p95 < 50 ms, as an operator and as a reader the device was granted to. The floor
// is the plain indexed lookup the view cannot beat: the device's newest 50 links in
// `audit_devices` joined to their records. Seeded set-based (a recursive CTE on SQLite,
// generate_series on PostgreSQL) in slices until the count or the seeding budget is reached; the
// count actually seeded is printed. One record in ten is about one of 10,000 devices (so a device
// has ~100 records), the rest are account events. The seeded records are not a valid chain (the
// bench never verifies; the database is dropped afterwards).

const RECORDS = Number(process.env.OPENEKS_BENCH_AUDIT_RECORDS ?? 10_000_000);
const SEED_BUDGET_MS = Number(process.env.OPENEKS_BENCH_AUDIT_SEED_MS ?? 300_000);
const SLICE = 500_000;
const DEVICES = 10_000;
const REQUESTS = 100;
const WARMUP = 10;
const GOAL_MS = 50;
const NOW = '2026-01-15T08:00:00.000Z';
const TARGET = 'dev_04242';

// The columns and values of a seeded record `i`: SQL text without parameters, for both dialects.
const recordColumns = 'seq, id, occurred_at, actor_id, actor_role, action, target_type, target_id, result, ip, details, prev_hash, hash';
const recordValues = (i: string) =>
  `${i}, 'aud_s' || ${i}, '2025-06-01T00:00:00.000Z', 'usr_seed', 'user', case when ${i} % 10 = 0 then 'key.state_change' else 'session.create' end, ` +
  `case when ${i} % 10 = 0 then 'device-key' else 'user' end, 'x' || ${i}, 'allowed', '192.0.2.1', '{}', 'p' || ${i}, 'h' || ${i}`;

function seedSqlite(path: string, log: (line: string) => void): number {
  const sqlite = new SqliteDatabase(path);
  try {
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('cache_size = -1048576');
    const lpad = (i: string) => `printf('%05d', ${i})`;
    sqlite.exec(`insert into devices (id, manufacturer, serial, kind, medium, created_at)
      with recursive n(i) as (select 0 union all select i + 1 from n where i < ${DEVICES - 1})
      select 'dev_' || ${lpad('i')}, 'KAM', 10000000 + i, 'meter', 'heat', '${NOW}' from n`);
    const start = performance.now();
    let seeded = 0;
    while (seeded < RECORDS && performance.now() - start < SEED_BUDGET_MS) {
      const from = seeded + 1;
      const to = Math.min(RECORDS, seeded + SLICE);
      sqlite.transaction(() => {
        sqlite.exec(`insert into audit_log (${recordColumns}) with recursive n(i) as (select ${from} union all select i + 1 from n where i < ${to}) select ${recordValues('i')} from n`);
        sqlite.exec(`insert into audit_devices (audit_seq, device_id) with recursive n(i) as (select ${from} union all select i + 1 from n where i < ${to}) select i, 'dev_' || ${lpad(`(i / 10) % ${DEVICES}`)} from n where i % 10 = 0`);
      })();
      seeded = to;
      log(`  ${seeded.toLocaleString('en')} records (${seconds(performance.now() - start)})`);
    }
    sqlite.exec('analyze');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    return seeded;
  } finally {
    sqlite.close();
  }
}

async function seedPostgres(url: string, log: (line: string) => void): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const lpad = (i: string) => `lpad((${i})::text, 5, '0')`;
    await client.query(`insert into devices (id, manufacturer, serial, kind, medium, created_at)
      select 'dev_' || ${lpad('i')}, 'KAM', (10000000 + i)::text, 'meter', 'heat', '${NOW}' from generate_series(0, ${DEVICES - 1}) i`);
    const start = performance.now();
    let seeded = 0;
    while (seeded < RECORDS && performance.now() - start < SEED_BUDGET_MS) {
      const from = seeded + 1;
      const to = Math.min(RECORDS, seeded + SLICE);
      await client.query('begin');
      await client.query(`insert into audit_log (${recordColumns}) select ${recordValues('i')} from generate_series(${from}::bigint, ${to}::bigint) i`);
      await client.query(`insert into audit_devices (audit_seq, device_id) select i, 'dev_' || ${lpad(`(i / 10) % ${DEVICES}`)} from generate_series(${from}::bigint, ${to}::bigint) i where i % 10 = 0`);
      await client.query('commit');
      seeded = to;
      log(`  ${seeded.toLocaleString('en')} records (${seconds(performance.now() - start)})`);
    }
    // The writer numbers the next record from the sequence: past the seeded ones.
    await client.query("select setval(pg_get_serial_sequence('audit_log', 'seq'), (select max(seq) from audit_log))");
    await client.query('vacuum analyze');
    return seeded;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}


const readerPrincipal = (userId: string, email: string) => benchReader(userId, email, NOW);

async function run({ database, log }: BenchContext): Promise<BenchRow[]> {
  const db = await database.create();
  try {
    const seedStart = performance.now();
    const seeded = database.kind === 'sqlite' ? seedSqlite(db.url.slice('sqlite:'.length), log) : await seedPostgres(db.url, log);
    log(`  seeded ${seeded.toLocaleString('en')} audit records on ${DEVICES.toLocaleString('en')} devices in ${seconds(performance.now() - seedStart)}`);

    const settings = loadSettings({ [envVar.databaseUrl]: db.url, [envVar.masterKey]: testMasterKey(), [envVar.publicUrl]: 'http://localhost:8080', [envVar.logLevel]: 'silent' });
    const container = await createContainer({ ...settings, clock: systemClock, logger: silentLogger, migrate: false });
    const k = container.db.kysely;
    const system = { principal: systemPrincipal, actor: systemActorOf('bench') };
    try {
      const readerId = newId('usr');
      await k.insertInto('users').values({ id: readerId, email: 'reader@example.com', name: null, password_hash: 'x', is_operator: 0, status: 'active', language: 'en', created_at: NOW, updated_at: NOW }).execute();
      await container.grants.assign({ ...system, selection: { ids: [TARGET] }, email: 'reader@example.com' });
      const reader = { principal: readerPrincipal(readerId, 'reader@example.com'), actor: systemActorOf('bench') };

      const floorQuery = () =>
        k.selectFrom('audit_devices as ad').innerJoin('audit_log as a', 'a.seq', 'ad.audit_seq').selectAll('a').where('ad.device_id', '=', TARGET).orderBy('ad.audit_seq', 'desc').limit(50).execute();
      const expected = (await floorQuery()).length;
      const cases = [
        ['operator', () => container.auditRecords.page({ ...system, query: { device: TARGET, limit: 50 } })],
        ['reader (granted)', () => container.auditRecords.page({ ...reader, query: { device: TARGET, limit: 50 } })],
        ['operator, by serial', () => container.auditRecords.page({ ...system, query: { device: String(10_000_000 + 4242), limit: 50 } })],
      ] as const;
      const rows: BenchRow[] = [];
      // Unfiltered, for the issue's "every user": a reader of one device, and a superuser of a
      // customer account holding all 10,000 devices (every link gathered before the first page).
      const customer = await container.customers.create({ customerNo: 'BENCH', name: 'Bench', ...system });
      await k.updateTable('devices').set({ customer_account_id: customer.id }).execute();
      const superuser = { principal: { ...readerPrincipal(readerId, 'reader@example.com'), roles: ['user', 'superuser'], customerAccountIds: [customer.id] } as PersonPrincipal, actor: systemActorOf('bench') };
      for (const [who, page] of [
        ['reader of one device', () => container.auditRecords.page({ ...reader, query: { limit: 50 } })],
        ['superuser of all 10,000 devices', () => container.auditRecords.page({ ...superuser, query: { limit: 50 } })],
      ] as const) {
        const times: number[] = [];
        const floor: number[] = [];
        for (let i = 0; i < 3 + 10; i++) {
          const t0 = performance.now();
          await page();
          const t1 = performance.now();
          await floorQuery();
          if (i < 3) continue;
          times.push(t1 - t0);
          floor.push(performance.now() - t1);
        }
        rows.push(row({ name: `audit view unfiltered among ${seeded.toLocaleString('en')} records, ${who}: first page, p95 of 10`, unit: 'ms', figure: percentile(times, 95), floor: percentile(floor, 95), goal: { kind: 'info' }, note: `median ${median(times).toFixed(2)} ms; no goal in the issue; floor as above` }));
        log(`  unfiltered, ${who}: p95 ${percentile(times, 95).toFixed(2)} ms`);
      }
      for (const [who, page] of cases) {
        const got = (await page()).items.length;
        // The grant record is the device's too: one more than the links, up to the page.
        if (got !== Math.min(50, expected + 1)) throw new Error(`${who}: ${got} records, expected ${Math.min(50, expected + 1)}`);
        const times: number[] = [];
        const floor: number[] = [];
        for (let i = 0; i < WARMUP + REQUESTS; i++) {
          const t0 = performance.now();
          await page();
          const t1 = performance.now();
          await floorQuery();
          if (i < WARMUP) continue;
          times.push(t1 - t0);
          floor.push(performance.now() - t1);
        }
        rows.push(row({ name: `audit view, one device among ${seeded.toLocaleString('en')} records, ${who}: first page, p95`, unit: 'ms', figure: percentile(times, 95), floor: percentile(floor, 95), goal: { kind: 'figure-below', value: GOAL_MS }, note: `median ${median(times).toFixed(2)} ms; floor = the device's newest 50 audit_devices links joined to audit_log, p95` }));
        log(`  ${who}: p95 ${percentile(times, 95).toFixed(2)} ms (floor ${percentile(floor, 95).toFixed(2)} ms)`);
      }
      return rows;
    } finally {
      await container.close();
    }
  } finally {
    await db.cleanup();
  }
}

export const bench: Bench = { name: 'audit', run };
