import { performance } from 'node:perf_hooks';
import SqliteDatabase from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { buildApp } from '../../src/core/app.js';
import { createContainer, type Container } from '../../src/core/container.js';
import { driverHintFor, type Medium } from '../../src/shared/inventory/device-fields.js';
import type { DeviceListQueryInput } from '../../src/core/modules/devices/devices-schemas.js';
import { systemClock } from '../../src/lib/clock.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { enrolTotp, signIn, testMasterKey } from '../harness.js';
import { systemPrincipal } from '../../src/core/access/principal.js';
import { type Bench, type BenchContext, type BenchRow, collectGarbage, median, percentile, row, seconds, silentLogger, systemActorOf } from './kit.js';

// The device list (docs/inventory.md "Devices") on 1,000,000 devices of 500 customer accounts:
// p95 and median of GET /api/devices page fetches through app.inject as an operator, for the
// filters and sorts the EKS table offers, against the same page fetched by calling the devices
// service directly (the same SQL, without HTTP, session and serialisation) as the floor,
// interleaved request by request. Goal: p95 < 25 ms, which holds only if every filter + sort is
// an index range (the DEVICE-LIST INDEXES of migration 0003), never a sort of the table.
// GET /api/devices/count is reported for information (it has to visit every matching row).

const DEVICES = 1_000_000;
const CUSTOMERS = 500;
const ORDER_SIZE = 500;
const NOTE_SIZE = 50;
const WARMUP = 20;
const REQUESTS = 200;
const COUNT_REQUESTS = 20;
const DEEP_PAGES = 20;
const GOAL_MS = 25;
const NOW = '2026-01-15T08:00:00.000Z';

// ---------------------------------------------------------------------------------------------
// The inventory: orders of 500 devices for one customer account (3 % of orders for none) and
// delivery date (2 % undated), delivery notes of 50, media and models spread by device, serials
// spread over the whole 8-digit space, so that no filter follows the insertion order.

const media: readonly [Medium, number, readonly (string | null)[]][] = [
  ['heat', 40, ['MULTICAL 603', 'MULTICAL 403', 'MULTICAL 303']],
  ['water-cold', 30, ['MULTICAL 21', 'flowIQ 2200']],
  ['water-warm', 15, ['MULTICAL 21', 'flowIQ 3100']],
  ['cooling', 5, ['MULTICAL 403']],
  ['electricity', 5, ['OMNIPOWER']],
  ['gas', 3, [null]],
  ['other', 2, [null]],
];
const manufacturers = ['KAM', 'KAM', 'KAM', 'KAM', 'KAM', 'KAM', 'KAM', 'KAM', 'DME', 'ZRI'];

const pad = (n: number, width: number): string => n.toString().padStart(width, '0');
const mix = (n: number): number => Math.imul(n ^ (n >>> 15), 0x2c1b3c6d) >>> 0;
const customerId = (i: number): string => `cus_${pad(i, 4)}`;
const customerNo = (i: number): string => `K-${pad(((i * 313) % CUSTOMERS) + 1000, 5)}`;
const orderNo = (order: number): string => `4500${pad(order, 6)}`;
const deliveryNote = (n: number): string => `LS-${pad(Math.floor(n / NOTE_SIZE), 6)}`;
const customerOf = (order: number): number | null => (order % 33 === 5 ? null : mix(order) % CUSTOMERS);
const dayOf = (order: number): string | null => {
  if (order % 50 === 7) return null;
  return new Date(Date.UTC(2018, 0, 1) + (mix(order + 77) % 3000) * 86_400_000).toISOString().slice(0, 10);
};

type DeviceTuple = [string, string, string, string, string, string | null, string | null, string | null, string, string, string | null, string | null, string | null, string];
const deviceColumns = 'id, manufacturer, serial, kind, medium, model, type_no, config_no, order_no, delivery_note, customer_account_id, delivery_date, driver_hint, created_at';

function deviceAt(n: number): DeviceTuple {
  const order = Math.floor(n / ORDER_SIZE);
  const customer = customerOf(order);
  const manufacturer = manufacturers[mix(order + 3) % manufacturers.length] as string;
  if (n % 200 === 199) {
    return [`dev_${pad(n, 7)}`, manufacturer, `GW-${pad(n, 7)}`, 'concentrator', 'other', 'READy Converter', null, null, orderNo(order), deliveryNote(n), customer === null ? null : customerId(customer), dayOf(order), null, NOW];
  }
  let pick = mix(n) % 100;
  let medium = media[0] as (typeof media)[number];
  for (const m of media) {
    medium = m;
    if (pick < m[1]) break;
    pick -= m[1];
  }
  const models = medium[2];
  const model = mix(n + 1) % 20 === 0 ? null : (models[mix(n + 2) % models.length] ?? null);
  const serial = String(10_000_000 + ((n * 7919 + 12_345) % 90_000_000));
  return [
    `dev_${pad(n, 7)}`,
    manufacturer,
    serial,
    'meter',
    medium[0],
    model,
    model === null ? null : `${model.slice(0, 2).toUpperCase()}${pad(mix(order) % 1000, 3)}`,
    model === null ? null : pad(mix(order + 9) % 100_000, 5),
    orderNo(order),
    deliveryNote(n),
    customer === null ? null : customerId(customer),
    dayOf(order),
    driverHintFor(model) ?? null,
    NOW,
  ];
}

function customerTuples(): [string, string, string, string, string, string][] {
  return Array.from({ length: CUSTOMERS }, (_, i) => [customerId(i), customerNo(i), `Stadtwerke ${i}`, `stadtwerke ${i}`, NOW, NOW]);
}

function seedSqlite(path: string): void {
  const sqlite = new SqliteDatabase(path);
  try {
    sqlite.pragma('synchronous = OFF');
    // Index pages stay in memory while a million random keys go into eight indexes.
    sqlite.pragma('cache_size = -1048576');
    const customer = sqlite.prepare('insert into customer_accounts (id, customer_no, name, name_search, created_at, updated_at) values (?, ?, ?, ?, ?, ?)');
    const device = sqlite.prepare(`insert into devices (${deviceColumns}) values (${deviceColumns.split(',').map(() => '?').join(', ')})`);
    // The list indexes are built once after the rows, as a restore would (much faster than a
    // million random inserts into each); their definitions come from the migration.
    const indexes = sqlite.prepare("select name, sql from sqlite_master where type = 'index' and name like 'devices_list_%' and sql is not null").all() as { name: string; sql: string }[];
    sqlite.transaction(() => {
      for (const index of indexes) sqlite.exec(`drop index ${index.name}`);
      for (const c of customerTuples()) customer.run(...c);
      for (let n = 0; n < DEVICES; n++) device.run(...deviceAt(n));
      for (const index of indexes) sqlite.exec(index.sql);
    })();
    sqlite.exec('analyze');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
}

async function seedPostgres(url: string, log: (line: string) => void): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  try {
    await client.query('begin');
    // As on SQLite: the list indexes (the migration's definitions) are built after the rows.
    const indexes = (await client.query<{ name: string; def: string }>("select indexname as name, indexdef as def from pg_indexes where indexname like 'devices_list_%'")).rows;
    for (const index of indexes) await client.query(`drop index ${index.name}`);
    const customers = customerTuples();
    await client.query(
      'insert into customer_accounts (id, customer_no, name, name_search, created_at, updated_at) select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])',
      [0, 1, 2, 3, 4, 5].map((i) => customers.map((c) => c[i])),
    );
    const width = deviceColumns.split(',').length;
    const unnest = Array.from({ length: width }, (_, i) => `$${i + 1}::text[]`).join(', ');
    const batch = 20_000;
    for (let from = 0; from < DEVICES; from += batch) {
      const columns: (string | null)[][] = Array.from({ length: width }, () => []);
      for (let n = from; n < Math.min(DEVICES, from + batch); n++) deviceAt(n).forEach((v, i) => columns[i]?.push(v));
      await client.query(`insert into devices (${deviceColumns}) select * from unnest(${unnest})`, columns);
    }
    const inserted = performance.now();
    await client.query("set local maintenance_work_mem = '256MB'");
    for (const index of indexes) await client.query(index.def);
    await client.query('commit');
    const indexed = performance.now();
    await client.query('vacuum analyze devices, customer_accounts');
    log(`  rows ${seconds(inserted - started)}, ${indexes.length} list indexes ${seconds(indexed - inserted)}, vacuum analyze ${seconds(performance.now() - indexed)}`);
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The requests

type Query = Omit<DeviceListQueryInput, 'limit'> & { limit?: number };

interface Scenario {
  name: string;
  /** The i-th request's query (varied, so no two requests in a row ask for the same page). */
  query(i: number): Query;
}

function scenarios(deepCursor: string): Scenario[] {
  const anyMedium = (i: number): Medium => (media[i % media.length] as (typeof media)[number])[0];
  const day = (i: number): string => new Date(Date.UTC(2018, 0, 1) + ((i * 97) % 2900) * 86_400_000).toISOString().slice(0, 10);
  const plusDays = (d: string, days: number): string => new Date(Date.parse(`${d}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
  return [
    { name: 'no filter', query: () => ({}) },
    { name: 'customerNo, sort serial', query: (i) => ({ customerNo: customerNo((i * 7) % CUSTOMERS) }) },
    { name: 'medium, sort -serial', query: (i) => ({ medium: anyMedium(i), sort: '-serial' }) },
    { name: 'serial range', query: (i) => ({ serialFrom: String(10_000_000 + ((i * 4_447_777) % 89_000_000)), serialTo: String(10_000_000 + ((i * 4_447_777) % 89_000_000) + 500_000) }) },
    { name: 'serial prefix', query: (i) => ({ serial: `${10 + ((i * 7) % 89)}${i % 10}*` }) },
    { name: 'orderNo', query: (i) => ({ orderNo: orderNo((i * 13) % (DEVICES / ORDER_SIZE)) }) },
    { name: 'deliveryNote', query: (i) => ({ deliveryNote: deliveryNote(((i * 7_919) % (DEVICES / NOTE_SIZE)) * NOTE_SIZE) }) },
    { name: 'delivered range, sort deliveryDate', query: (i) => ({ deliveredFrom: day(i), deliveredTo: plusDays(day(i), 90), sort: 'deliveryDate' }) },
    { name: 'sort -deliveryDate', query: () => ({ sort: '-deliveryDate' }) },
    { name: 'model, sort model', query: (i) => ({ model: i % 2 ? 'MULTICAL 21' : 'OMNIPOWER', sort: 'model' }) },
    { name: 'sort customerNo', query: (i) => ({ sort: i % 2 ? 'customerNo' : '-customerNo' }) },
    { name: 'medium + customerNo, sort -deliveryDate', query: (i) => ({ medium: anyMedium(i), customerNo: customerNo((i * 11) % CUSTOMERS), sort: '-deliveryDate' }) },
    { name: 'kind concentrator', query: () => ({ kind: 'concentrator' }) },
    { name: `page ${DEEP_PAGES + 1} by cursor`, query: () => ({ cursor: deepCursor }) },
  ];
}

const urlOf = (path: string, query: Query): string => {
  const params = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
};


async function signInOperator(app: FastifyInstance, container: Container) {
  const email = 'bench-operator@example.com';
  const password = 'Zähler-Schlüssel 2026!';
  const { link } = await container.operatorSetup.createOperator({ email, principal: systemPrincipal, actor: systemActorOf('bench') });
  const token = new URL(link).hash.replace('#token=', '');
  const setup = await app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token, password } });
  if (setup.statusCode !== 204) throw new Error(`operator setup failed: ${setup.statusCode} ${setup.body}`);
  const first = await signIn(app, email, password);
  const { session } = await enrolTotp(app, first, systemClock);
  return { headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken }, caller: { principal: systemPrincipal, actor: systemActorOf('bench') } };
}

async function run({ database, log }: BenchContext): Promise<BenchRow[]> {
  const db = await database.create();
  try {
    const seedStart = performance.now();
    if (database.kind === 'sqlite') seedSqlite(db.url.slice('sqlite:'.length));
    else await seedPostgres(db.url, log);
    log(`  seeded ${DEVICES.toLocaleString('en')} devices, ${CUSTOMERS} customer accounts in ${seconds(performance.now() - seedStart)} (list indexes built after the rows, then ANALYZE)`);

    const settings = loadSettings({ [envVar.databaseUrl]: db.url, [envVar.masterKey]: testMasterKey(), [envVar.publicUrl]: 'http://localhost:8080', [envVar.logLevel]: 'silent' });
    const container = await createContainer({ ...settings, clock: systemClock, logger: silentLogger, migrate: false });
    const app = await buildApp(container, { logger: false, rateLimits: { global: 10_000_000, auth: 10_000 } });
    try {
      await app.ready();
      const { headers, caller } = await signInOperator(app, container);
      const get = async (path: string, query: Query) => {
        const res = await app.inject({ method: 'GET', url: urlOf(path, query), headers });
        if (res.statusCode !== 200) throw new Error(`${urlOf(path, query)} answered ${res.statusCode}: ${res.body}`);
        return res.json<{ items: unknown[]; nextCursor: string | null; total?: number }>();
      };

      let cursor: string | null = null;
      for (let page = 0; page < DEEP_PAGES; page++) cursor = (await get('/api/devices', cursor === null ? {} : { cursor })).nextCursor;
      if (cursor === null) throw new Error('the inventory ended before the deep page');

      const rows: BenchRow[] = [];
      for (const scenario of scenarios(cursor)) {
        const viaHttp: number[] = [];
        const direct: number[] = [];
        let items = 0;
        collectGarbage();
        for (let i = 0; i < WARMUP + REQUESTS; i++) {
          const query = scenario.query(i);
          const t0 = performance.now();
          const page = await get('/api/devices', query);
          const t1 = performance.now();
          await container.devices.list({ ...caller, query });
          const t2 = performance.now();
          if (i < WARMUP) continue;
          viaHttp.push(t1 - t0);
          direct.push(t2 - t1);
          items += page.items.length;
        }
        const note = `median ${median(viaHttp).toFixed(2)} ms (direct ${median(direct).toFixed(2)} ms), ${(items / REQUESTS).toFixed(0)} rows/page; floor = p95 of devices.list() called directly`;
        rows.push(row({ name: `devices list p95: ${scenario.name}`, unit: 'ms', figure: percentile(viaHttp, 95), floor: percentile(direct, 95), goal: { kind: 'figure-below', value: GOAL_MS }, note }));
        log(`  ${scenario.name}: p95 ${percentile(viaHttp, 95).toFixed(2)} ms, median ${median(viaHttp).toFixed(2)} ms`);
      }

      const countCases: [string, (i: number) => Query][] = [
        ['count, no filter', () => ({})],
        ['count, customerNo', (i) => ({ customerNo: customerNo(i % CUSTOMERS) })],
        ['count, medium', (i) => ({ medium: media[i % media.length]?.[0] ?? 'heat' })],
      ];
      for (const [name, query] of countCases) {
        const times: number[] = [];
        const direct: number[] = [];
        for (let i = 0; i < COUNT_REQUESTS + 2; i++) {
          const t0 = performance.now();
          await get('/api/devices/count', query(i));
          const t1 = performance.now();
          await container.devices.count({ ...caller, query: query(i) });
          if (i >= 2) {
            times.push(t1 - t0);
            direct.push(performance.now() - t1);
          }
        }
        rows.push(row({ name: `devices ${name} (median)`, unit: 'ms', figure: median(times), floor: median(direct), goal: { kind: 'info' }, note: `p95 ${percentile(times, 95).toFixed(1)} ms; floor = median of devices.count() called directly` }));
      }
      return rows;
    } finally {
      await app.close();
      await container.close();
    }
  } finally {
    await db.cleanup();
  }
}

export const bench: Bench = { name: 'devices', run };
