import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.js';
import { signInNewUser } from '../../../../test/support/accounts.js';
import type { Insertable } from 'kysely';
import type { DevicesTable } from '../../db/schema.js';

// GET /api/devices, /api/devices/count and /api/devices/{id} over a small inventory inserted
// directly: every filter, every sort in both directions, keyset paging (also while devices are
// added), the cursor's checks, the query's bounds and the device scope.

interface Device {
  id: string;
  serial: string;
  manufacturer: string;
  kind: string;
  medium: string;
  model: string | null;
  orderNo: string | null;
  deliveryNote: string | null;
  customerNo: string | null;
  customerName: string | null;
  deliveryDate: string | null;
}

const customers = [
  { id: 'cus_nord', customer_no: 'K-200', name: 'Stadtwerke Nord' },
  { id: 'cus_sued', customer_no: 'K-100', name: 'Stadtwerke Süd' },
  { id: 'cus_west', customer_no: 'A-9', name: 'Wohnbau West' },
];
const media = ['heat', 'water-cold', 'water-warm', 'electricity', 'gas'];
const models = [null, 'MULTICAL 21', 'MULTICAL 603', 'flowIQ 2200'];
const dates = [null, '2024-03-01', '2024-03-02', '2025-11-30', '2023-01-15'];
const now = '2026-01-15T08:00:00.000Z';

function deviceRow(n: number, prefix = 'dev_t'): Insertable<DevicesTable> {
  const concentrator = n % 17 === 3;
  const customer = n % 4 === 3 ? null : customers[n % 3];
  return {
    id: `${prefix}${String((n * 37) % 1000).padStart(3, '0')}_${n}`,
    manufacturer: n % 5 === 0 ? 'DME' : 'KAM',
    serial: concentrator ? `GW-${n}` : String(10_000_000 + ((n * 7_919_113) % 89_999_999)),
    kind: concentrator ? 'concentrator' : 'meter',
    medium: media[n % media.length] ?? 'other',
    model: models[n % models.length] ?? null,
    type_no: null,
    config_no: null,
    order_no: `450${n % 6}`,
    delivery_note: n % 7 === 0 ? null : `LS-${n % 9}`,
    customer_account_id: customer?.id ?? null,
    delivery_date: dates[Math.floor(n / 2) % dates.length] ?? null,
    driver_hint: null,
    created_at: now,
  };
}

function expected(row: Insertable<DevicesTable>): Device {
  const customer = customers.find((c) => c.id === row.customer_account_id);
  return {
    id: row.id,
    serial: row.serial,
    manufacturer: row.manufacturer,
    kind: row.kind,
    medium: row.medium,
    model: row.model ?? null,
    orderNo: row.order_no ?? null,
    deliveryNote: row.delivery_note ?? null,
    customerNo: customer?.customer_no ?? null,
    customerName: customer?.name ?? null,
    deliveryDate: row.delivery_date ?? null,
  };
}

const COUNT = 240;
const rows = Array.from({ length: COUNT }, (_, n) => deviceRow(n));
const all = rows.map(expected);

let t: TestApp;
let headers: Record<string, string>;

async function insertInventory(app: TestApp, devices: Insertable<DevicesTable>[]) {
  const db = app.container.db.kysely;
  await db.insertInto('customer_accounts').values(customers.map((c) => ({ ...c, name_search: c.name.toLowerCase(), created_at: now, updated_at: now }))).execute();
  await db.insertInto('devices').values(devices).execute();
}

beforeAll(async () => {
  t = await createTestApp();
  await insertInventory(t, rows);
  const op = await t.signInOperator();
  headers = { cookie: op.cookie, 'x-csrf-token': op.csrfToken };
});
afterAll(async () => t.close());

const get = (url: string, h: Record<string, string> = headers, app: TestApp = t) => app.app.inject({ method: 'GET', url, headers: h });
const qs = (query: Record<string, string | number>) => new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();

/** Every page of a query, as the client walks it. */
async function walk(query: Record<string, string | number>, app: TestApp = t, h: Record<string, string> = headers, between?: (page: number) => Promise<void>) {
  const items: Device[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 500; page++) {
    const res = await get(`/api/devices?${qs({ ...query, ...(cursor === null ? {} : { cursor }) })}`, h, app);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ items: Device[]; nextCursor: string | null }>();
    items.push(...body.items);
    cursor = body.nextCursor;
    if (cursor === null) return items;
    await between?.(page);
  }
  throw new Error('the list never ended');
}

const byBytes = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
function sorted(devices: Device[], key: (d: Device) => string | null, desc: boolean): string[] {
  const copy = [...devices].sort((a, b) => byBytes(key(a) ?? '', key(b) ?? '') || byBytes(a.serial, b.serial) || byBytes(a.id, b.id));
  if (desc) copy.reverse();
  return copy.map((d) => d.id);
}

describe('GET /api/devices', () => {
  it('answers devices in serial order with customer number and name, 50 by default', async () => {
    const res = await get('/api/devices');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ items: Device[]; nextCursor: string | null }>();
    expect(body.items).toHaveLength(50);
    expect(body.nextCursor).toEqual(expect.any(String));
    expect(body.items.map((d) => d.id)).toEqual(sorted(all, (d) => d.serial, false).slice(0, 50));
    const first = body.items[0];
    const want = all.find((d) => d.id === first?.id);
    expect(first).toMatchObject({ ...want, typeNo: null, configNo: null, driverHint: null, createdAt: now });
  });

  const filters: [Record<string, string>, (d: Device) => boolean][] = [
    [{ serial: all[10]?.serial ?? '' }, (d) => d.serial === all[10]?.serial],
    [{ serial: '1*' }, (d) => d.serial.startsWith('1')],
    [{ serial: '5*' }, (d) => d.serial.startsWith('5')],
    [{ serial: 'GW-1*' }, (d) => d.serial.startsWith('GW-1')],
    [{ serialFrom: '30000000', serialTo: '60000000' }, (d) => d.serial >= '30000000' && d.serial <= '60000000'],
    [{ serialFrom: '90000000' }, (d) => d.serial >= '90000000'],
    [{ serialTo: '20000000' }, (d) => d.serial <= '20000000'],
    [{ manufacturer: 'DME' }, (d) => d.manufacturer === 'DME'],
    [{ manufacturer: 'dme' }, (d) => d.manufacturer === 'DME'],
    [{ kind: 'concentrator' }, (d) => d.kind === 'concentrator'],
    [{ medium: 'gas' }, (d) => d.medium === 'gas'],
    [{ model: 'MULTICAL 21' }, (d) => d.model === 'MULTICAL 21'],
    [{ orderNo: '4503' }, (d) => d.orderNo === '4503'],
    [{ deliveryNote: 'LS-4' }, (d) => d.deliveryNote === 'LS-4'],
    [{ customerNo: 'K-100' }, (d) => d.customerNo === 'K-100'],
    [{ customerNo: 'K-999' }, () => false],
    [{ deliveredFrom: '2024-03-02' }, (d) => d.deliveryDate !== null && d.deliveryDate >= '2024-03-02'],
    [{ deliveredFrom: '2024-01-01', deliveredTo: '2024-03-01' }, (d) => d.deliveryDate !== null && d.deliveryDate >= '2024-01-01' && d.deliveryDate <= '2024-03-01'],
    [{ deliveredTo: '2024-03-01' }, (d) => d.deliveryDate !== null && d.deliveryDate <= '2024-03-01'],
    [{ manufacturer: 'KAM', orderNo: '4502', medium: 'water-warm' }, (d) => d.manufacturer === 'KAM' && d.orderNo === '4502' && d.medium === 'water-warm'],
    [{ medium: 'water-cold', customerNo: 'A-9', deliveredFrom: '2024-01-01' }, (d) => d.medium === 'water-cold' && d.customerNo === 'A-9' && (d.deliveryDate ?? '') >= '2024-01-01'],
  ];

  it.each(filters)('filters %j, and the count agrees', async (filter, match) => {
    const want = sorted(all.filter(match), (d) => d.serial, false);
    const got = await walk({ ...filter, limit: 200 });
    expect(got.map((d) => d.id)).toEqual(want);
    const count = await get(`/api/devices/count?${qs(filter)}`);
    expect(count.statusCode).toBe(200);
    expect(count.json()).toEqual({ total: want.length });
  });

  it('filters match something in this inventory (so the cases above prove something)', () => {
    for (const [filter, match] of filters) if (filter.customerNo !== 'K-999') expect(all.filter(match).length, JSON.stringify(filter)).toBeGreaterThan(0);
  });

  const sorts: [string, (d: Device) => string | null][] = [
    ['serial', (d) => d.serial],
    ['deliveryDate', (d) => d.deliveryDate],
    ['model', (d) => d.model],
    ['customerNo', (d) => d.customerNo],
  ];
  for (const [sort, key] of sorts) {
    for (const desc of [false, true]) {
      const name = desc ? `-${sort}` : sort;
      it(`sorts by ${name} (absent values first ascending), paged by 7 without repeats or gaps`, async () => {
        const got = await walk({ sort: name, limit: 7 });
        expect(got.map((d) => d.id)).toEqual(sorted(all, key, desc));
      });
      it(`sorts by ${name} within a filter`, async () => {
        const heat = await walk({ sort: name, limit: 5, medium: 'heat' });
        expect(heat.map((d) => d.id)).toEqual(sorted(all.filter((d) => d.medium === 'heat'), key, desc));
      });
    }
  }

  it.each([
    ['model', { model: 'MULTICAL 603' }, (d: Device) => d.model === 'MULTICAL 603', (d: Device) => d.model],
    ['-model', { model: 'MULTICAL 603' }, (d: Device) => d.model === 'MULTICAL 603', (d: Device) => d.model],
    ['customerNo', { customerNo: 'K-200' }, (d: Device) => d.customerNo === 'K-200', (d: Device) => d.customerNo],
    ['-customerNo', { customerNo: 'K-200' }, (d: Device) => d.customerNo === 'K-200', (d: Device) => d.customerNo],
    ['-deliveryDate', { deliveredFrom: '2024-03-01', deliveredTo: '2024-03-02' }, (d: Device) => d.deliveryDate === '2024-03-01' || d.deliveryDate === '2024-03-02', (d: Device) => d.deliveryDate],
  ])('sorts by %s within a filter on that column %j, paged by 4', async (sort, filter, match, key) => {
    const want = sorted(all.filter(match), key, sort.startsWith('-'));
    expect(want.length).toBeGreaterThan(8);
    expect((await walk({ ...filter, sort, limit: 4 })).map((d) => d.id)).toEqual(want);
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['not JSON', Buffer.from('{"a":').toString('base64url')],
    ['not a list', Buffer.from('{"sort":"serial"}').toString('base64url')],
    ['too few values', Buffer.from('["serial","10000000"]').toString('base64url')],
    ['values of the wrong type', Buffer.from('["serial",10000000,"dev_1"]').toString('base64url')],
    ['re-encoded differently', `${Buffer.from('["serial","10000000","dev_1"]').toString('base64url')}A`],
  ])('refuses a cursor that is %s with validation_failed naming the cursor', async (_, cursor) => {
    const res = await get(`/api/devices?cursor=${cursor}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'cursor' }] });
  });

  it('refuses a cursor made for another sort', async () => {
    const first = (await get('/api/devices?sort=model&limit=3')).json<{ nextCursor: string }>();
    const res = await get(`/api/devices?sort=-model&cursor=${first.nextCursor}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'cursor', reason: expect.stringContaining('another sort') }] });
    expect((await get(`/api/devices?cursor=${first.nextCursor}`)).statusCode).toBe(400);
    expect((await get(`/api/devices?sort=model&cursor=${first.nextCursor}`)).statusCode).toBe(200);
  });

  it.each([
    ['colour=red', 'colour'],
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=ten', 'limit'],
    ['sort=manufacturer', 'sort'],
    ['medium=steam', 'medium'],
    ['kind=router', 'kind'],
    ['deliveredFrom=15.01.2026', 'deliveredFrom'],
    ['deliveredTo=2026-02-30', 'deliveredTo'],
    ['serial=1234%25', 'serial'],
    ['manufacturer=KAMS', 'manufacturer'],
    [`orderNo=${'9'.repeat(65)}`, 'orderNo'],
    ['medium=heat&medium=gas', 'medium'],
  ])('refuses ?%s with validation_failed naming %s', async (query, field) => {
    const res = await get(`/api/devices?${query}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(res.json().error.details.map((d: { field: string }) => d.field)).toContain(field);
  });

  it('refuses unknown parameters on the count too', async () => {
    const res = await get('/api/devices/count?sort=serial');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'sort' }] });
  });

  it('answers 200 devices at most per page, and counts all', async () => {
    const res = await get('/api/devices?limit=200');
    expect(res.json().items).toHaveLength(200);
    expect((await get('/api/devices/count')).json()).toEqual({ total: COUNT });
  });

  it('asks for a session', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/devices' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: '/api/devices/count' })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: `/api/devices/${all[0]?.id ?? ''}` })).statusCode).toBe(401);
  });

  it('shows a user without customer accounts or grants no devices', async () => {
    const user = await signInNewUser(t, 'reader@example.com');
    const h = { cookie: user.cookie, 'x-csrf-token': user.csrfToken };
    const list = await get('/api/devices', h);
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ items: [], nextCursor: null });
    expect((await get('/api/devices?customerNo=K-100&sort=-customerNo', h)).json()).toEqual({ items: [], nextCursor: null });
    expect((await get('/api/devices/count', h)).json()).toEqual({ total: 0 });
    const one = await get(`/api/devices/${all[0]?.id ?? ''}`, h);
    expect(one.statusCode).toBe(404);
    expect(one.json().error.code).toBe('not_found');
  });
});

describe('GET /api/devices/{id}', () => {
  it('answers the device with its key versions, by key type and newest first, never key material', async () => {
    const device = rows[1];
    if (!device) throw new Error('no device');
    const key = (id: string, keyType: string, version: number, state: 'active' | 'deactivated' | 'destroyed', ciphertext: string | null) => ({
      id,
      device_id: device.id,
      key_type: keyType,
      version,
      state,
      ciphertext,
      data_key_id: null,
      key_length: 16,
      created_at: `2025-0${version}-01T00:00:00.000Z`,
      updated_at: now,
      state_changed_at: state === 'active' ? null : now,
      state_reason: state === 'destroyed' ? 'meter scrapped' : null,
    });
    await t.container.db.kysely
      .insertInto('device_keys')
      .values([
        key('key_a1', 'DEK', 1, 'deactivated', 'oek1.FAKE-CIPHERTEXT-ONE'),
        key('key_b1', 'OPTICAL', 1, 'active', 'oek1.FAKE-CIPHERTEXT-TWO'),
        key('key_a2', 'DEK', 2, 'active', 'oek1.FAKE-CIPHERTEXT-THREE'),
        key('key_a3', 'DEK', 3, 'destroyed', null),
      ])
      .execute();

    const res = await get(`/api/devices/${device.id}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ ...expected(device), createdAt: now });
    expect(body.keys).toEqual([
      { id: 'key_a3', keyType: 'DEK', version: 3, state: 'destroyed', length: 16, createdAt: '2025-03-01T00:00:00.000Z', stateChangedAt: now, stateReason: 'meter scrapped' },
      { id: 'key_a2', keyType: 'DEK', version: 2, state: 'active', length: 16, createdAt: '2025-02-01T00:00:00.000Z', stateChangedAt: null, stateReason: null },
      { id: 'key_a1', keyType: 'DEK', version: 1, state: 'deactivated', length: 16, createdAt: '2025-01-01T00:00:00.000Z', stateChangedAt: now, stateReason: null },
      { id: 'key_b1', keyType: 'OPTICAL', version: 1, state: 'active', length: 16, createdAt: '2025-01-01T00:00:00.000Z', stateChangedAt: null, stateReason: null },
    ]);
    expect(res.body).not.toContain('FAKE-CIPHERTEXT');
    expect(res.body).not.toContain('ciphertext');

    const other = await get(`/api/devices/${rows[2]?.id ?? ''}`);
    expect(other.json().keys).toEqual([]);
  });

  it('answers 404 for an unknown device', async () => {
    const res = await get('/api/devices/dev_nope');
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('not_found');
  });
});

describe('paging while devices are added', () => {
  let fresh: TestApp;
  let h: Record<string, string>;
  beforeAll(async () => {
    fresh = await createTestApp();
    await insertInventory(fresh, rows);
    const op = await fresh.signInOperator();
    h = { cookie: op.cookie, 'x-csrf-token': op.csrfToken };
  });
  afterAll(async () => fresh.close());

  let addedTotal = 0;
  it.each(['serial', '-serial', 'model', '-deliveryDate', 'customerNo', '-customerNo'])('sort %s: every existing device exactly once', async (sort) => {
    let added = 0;
    const addSome = async () => {
      // Before, inside and after the pages already read: the new rows never shift the old ones.
      const batch = [0, 1, 2].map(() => {
        added++;
        return deviceRow(COUNT + 7 * addedTotal++ + 1, 'new_');
      });
      await fresh.container.db.kysely.insertInto('devices').values(batch).execute();
    };
    const got = await walk({ sort, limit: 11 }, fresh, h, addSome);
    expect(added).toBeGreaterThan(30);
    const ids = got.map((d) => d.id);
    expect(new Set(ids).size).toBe(ids.length);
    const old = ids.filter((id) => id.startsWith('dev_t'));
    expect([...old].sort()).toEqual(all.map((d) => d.id).sort());
    const want = sorted(all, (d) => (sort.includes('model') ? d.model : sort.includes('deliveryDate') ? d.deliveryDate : sort.includes('customerNo') ? d.customerNo : d.serial), sort.startsWith('-'));
    expect(old).toEqual(want);
  });
});
