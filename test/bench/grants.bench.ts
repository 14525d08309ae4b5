import { performance } from 'node:perf_hooks';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import pg from 'pg';
import { systemPrincipal } from '../../src/core/access/principal.js';
import { createContainer } from '../../src/core/container.js';
import { systemClock } from '../../src/lib/clock.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { newId } from '../../src/lib/ids.js';
import { testMasterKey } from '../harness.js';
import { type Bench, type BenchContext, type BenchRow, benchReader, collectGarbage, median, percentile, row, seconds, silentLogger, systemActorOf } from './kit.js';

// Read rights at scale (docs/grants.md), on 1,000,000 devices:
// - assigning all of them (one filter selection) to one e-mail through the grants service (count
//   check, one INSERT … SELECT, audit record, mail) against one raw INSERT … SELECT of the same
//   rows for another reader: ratio ≥ 0.5 (the "≤ 2×");
// - revoking the same through the service against one raw UPDATE: ratio ≥ 0.5;
// - a reader with 1,000,000 grants and one with 1,000: the device list's first page and a deep
//   page (by cursor) through the devices service, p95 < 25 ms; the floor is the operator's same
//   page (no scope at all).
// The audit view filtered to one device among 10,000,000 records is audit.bench.ts.

const DEVICES = 1_000_000;
const FEW = 1_000;
const REQUESTS = 100;
const WARMUP = 10;
const DEEP_PAGES = 20;
const GOAL_MS = 25;
const NOW = '2026-01-15T08:00:00.000Z';

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const deviceAt = (n: number): string[] => [`dev_${pad(n, 7)}`, 'KAM', String(10_000_000 + ((n * 7919 + 12_345) % 90_000_000)), 'meter', 'heat', NOW];
const deviceColumns = 'id, manufacturer, serial, kind, medium, created_at';

function seedSqlite(path: string): void {
  const sqlite = new SqliteDatabase(path);
  try {
    sqlite.pragma('synchronous = OFF');
    sqlite.pragma('cache_size = -1048576');
    const device = sqlite.prepare(`insert into devices (${deviceColumns}) values (?, ?, ?, ?, ?, ?)`);
    const indexes = sqlite.prepare("select name, sql from sqlite_master where type = 'index' and name like 'devices_list_%' and sql is not null").all() as { name: string; sql: string }[];
    sqlite.transaction(() => {
      for (const index of indexes) sqlite.exec(`drop index ${index.name}`);
      for (let n = 0; n < DEVICES; n++) device.run(...deviceAt(n));
      for (const index of indexes) sqlite.exec(index.sql);
    })();
    sqlite.exec('analyze');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
}

async function seedPostgres(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('begin');
    const indexes = (await client.query<{ name: string; def: string }>("select indexname as name, indexdef as def from pg_indexes where indexname like 'devices_list_%'")).rows;
    for (const index of indexes) await client.query(`drop index ${index.name}`);
    for (let from = 0; from < DEVICES; from += 20_000) {
      const columns: string[][] = Array.from({ length: 6 }, () => []);
      for (let n = from; n < Math.min(DEVICES, from + 20_000); n++) deviceAt(n).forEach((v, i) => columns[i]?.push(v));
      await client.query(`insert into devices (${deviceColumns}) select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])`, columns);
    }
    await client.query("set local maintenance_work_mem = '256MB'");
    for (const index of indexes) await client.query(index.def);
    await client.query('commit');
    await client.query('vacuum analyze devices');
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
    if (database.kind === 'sqlite') seedSqlite(db.url.slice('sqlite:'.length));
    else await seedPostgres(db.url);
    log(`  seeded ${DEVICES.toLocaleString('en')} devices in ${seconds(performance.now() - seedStart)}`);

    const settings = loadSettings({ [envVar.databaseUrl]: db.url, [envVar.masterKey]: testMasterKey(), [envVar.publicUrl]: 'http://localhost:8080', [envVar.logLevel]: 'silent' });
    const container = await createContainer({ ...settings, clock: systemClock, logger: silentLogger, migrate: false });
    const k = container.db.kysely;
    const system = { principal: systemPrincipal, actor: systemActorOf('bench') };
    try {
      const rows: BenchRow[] = [];
      const user = async (email: string) => {
        const id = newId('usr');
        await k.insertInto('users').values({ id, email, name: null, password_hash: 'x', is_operator: 0, status: 'active', language: 'en', created_at: NOW, updated_at: NOW }).execute();
        return id;
      };
      const bigReader = await user('big.reader@example.com');
      const floorReader = await user('floor.reader@example.com');
      const fewReader = await user('few.reader@example.com');

      // Assign: the floor first (a cold start would otherwise count against the figure), then the figure.
      collectGarbage();
      let t = performance.now();
      await k.transaction().execute((trx) => sql`insert into grants (device_id, reader_id, granted_by, granted_at) select id, ${floorReader}, null, ${NOW} from devices`.execute(trx));
      const floorAssign = performance.now() - t;
      collectGarbage();
      t = performance.now();
      const assigned = await container.grants.assign({ ...system, selection: { filter: {}, count: DEVICES }, email: 'big.reader@example.com' });
      const assign = performance.now() - t;
      if (assigned.granted !== DEVICES) throw new Error(`granted ${assigned.granted}`);
      rows.push(row({ name: `assign ${DEVICES.toLocaleString('en')} devices (one filter) to one e-mail`, unit: 'ms', figure: assign, floor: floorAssign, goal: { kind: 'ratio-at-least', value: 0.5 }, note: 'figure: grants.assign (count check, INSERT … SELECT, audit, mail) in one transaction; floor: one raw INSERT … SELECT of the same rows' }));
      log(`  assign ${seconds(assign)} (floor ${seconds(floorAssign)})`);
      await k.insertInto('grants').columns(['device_id', 'reader_id', 'granted_by', 'granted_at']).expression(k.selectFrom('devices').select([sql<string>`id`.as('device_id'), sql<string>`${fewReader}`.as('reader_id'), sql<null>`null`.as('granted_by'), sql<string>`${NOW}`.as('granted_at')]).where(sql<boolean>`devices.id like ${'dev_%000'}`)).execute();
      if (database.kind === 'postgres') await sql`analyze grants`.execute(k);
      else {
        await sql`analyze`.execute(k);
        // Two million rows just went through the write-ahead log: fold it back, as a quiet
        // moment would, so the pages are read from the database file.
        await sql`pragma wal_checkpoint(TRUNCATE)`.execute(k);
      }

      // Pages: a reader with a million grants, one with a thousand, the operator as the floor.
      for (const [name, userId, email] of [
        ['1,000,000 grants', bigReader, 'big.reader@example.com'],
        [`${FEW.toLocaleString('en')} grants`, fewReader, 'few.reader@example.com'],
      ] as const) {
        const reader = { principal: readerPrincipal(userId, email), actor: systemActorOf('bench') };
        let cursor: string | null = null;
        for (let page = 0; page < DEEP_PAGES; page++) cursor = (await container.devices.list({ ...reader, query: cursor === null ? {} : { cursor } })).nextCursor;
        let opCursor: string | null = null;
        for (let page = 0; page < DEEP_PAGES; page++) opCursor = (await container.devices.list({ ...system, query: opCursor === null ? {} : { cursor: opCursor } })).nextCursor;
        for (const [what, query, floorQuery] of [
          ['first page', {}, {}],
          [`page ${DEEP_PAGES + 1}`, cursor === null ? {} : { cursor }, opCursor === null ? {} : { cursor: opCursor }],
        ] as const) {
          const times: number[] = [];
          const floor: number[] = [];
          for (let i = 0; i < WARMUP + REQUESTS; i++) {
            const t0 = performance.now();
            await container.devices.list({ ...reader, query });
            const t1 = performance.now();
            await container.devices.list({ ...system, query: floorQuery });
            if (i < WARMUP) continue;
            times.push(t1 - t0);
            floor.push(performance.now() - t1);
          }
          rows.push(row({ name: `reader with ${name}: device list ${what}, p95`, unit: 'ms', figure: percentile(times, 95), floor: percentile(floor, 95), goal: { kind: 'figure-below', value: GOAL_MS }, note: `median ${median(times).toFixed(2)} ms; floor = the operator's page (no scope), p95` }));
          log(`  ${name} ${what}: p95 ${percentile(times, 95).toFixed(2)} ms`);
        }
      }

      // Revoke: the floor (the floor reader's rows), then the figure.
      collectGarbage();
      t = performance.now();
      await k.transaction().execute((trx) => sql`update grants set revoked_at = ${NOW}, revoked_by = null where reader_id = ${floorReader} and revoked_at is null`.execute(trx));
      const floorRevoke = performance.now() - t;
      collectGarbage();
      t = performance.now();
      const revoked = await container.grants.revoke({ ...system, readerId: bigReader });
      const revoke = performance.now() - t;
      if (revoked.revoked !== DEVICES) throw new Error(`revoked ${revoked.revoked}`);
      rows.push(row({ name: `revoke the same ${DEVICES.toLocaleString('en')}`, unit: 'ms', figure: revoke, floor: floorRevoke, goal: { kind: 'ratio-at-least', value: 0.5 }, note: 'figure: grants.revoke (one UPDATE, audit, mail); floor: one raw UPDATE of the same number of rows' }));
      log(`  revoke ${seconds(revoke)} (floor ${seconds(floorRevoke)})`);
      return rows;
    } finally {
      await container.close();
    }
  } finally {
    await db.cleanup();
  }
}

export const bench: Bench = { name: 'grants', run };
