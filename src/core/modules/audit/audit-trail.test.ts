import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, signIn, systemActor, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword } from '../../../../test/support/accounts.js';
import { storeDevice } from '../../../../test/support/devices.js';
import { as, get, post, signInSuperuser } from '../../../../test/support/grants.js';

// The audit trail for everyone (docs/audit-trail.md): who sees which records, the filters, the
// paging, the CSV, the 404 for a device outside the scope, and the chain intact after all of it.

let t: TestApp;
let op: SignedIn;
let su: SignedIn;
let reader: SignedIn;
let readerId: string;
/** Customer A's meter with a key (granted to the reader), A's second meter, B's meter (serial formula-like). */
let a1: { deviceId: string; keyIds: string[] };
let a2: string;
let b1: { deviceId: string; keyIds: string[] };

interface Item { seq: number; event: string; actor: { id: string; email: string | null } | null; ip: string | null; target: { type: string; id: string } | null; device: { id: string; serial: string | null } | null; details: Record<string, unknown> }
const items = async (s: SignedIn, query = '') => {
  const res = await get(t, s, `/api/audit${query}`);
  expect(res.statusCode).toBe(200);
  return res.json<{ items: Item[]; nextCursor: string | null }>();
};
const events = async (s: SignedIn, query = '') => (await items(s, query)).items.map((i) => [i.event, i.device?.id ?? null]);
const opActor = () => ({ ...systemActor, userId: op.userId, role: 'operator' as const, ip: '192.0.2.7', authMethod: 'session' });

beforeAll(async () => {
  t = await createTestApp();
  op = await t.signInOperator('ops@example.com');
  const customerA = (await t.container.customers.create({ customerNo: '4711', name: 'Stadtwerke', ...asSystem })).id;
  const customerB = (await t.container.customers.create({ customerNo: '4712', name: 'Wohnbau', ...asSystem })).id;
  a1 = await storeDevice(t.container, { manufacturer: 'KAM', serial: '20000001', customerAccountId: customerA, keys: [{ hex: '00112233445566778899aabbccddeeff', state: 'active' }] });
  a2 = (await storeDevice(t.container, { manufacturer: 'KAM', serial: '20000002', customerAccountId: customerA })).deviceId;
  b1 = await storeDevice(t.container, { manufacturer: 'KAM', serial: '=1+2', customerAccountId: customerB, keys: [{ hex: 'ffeeddccbbaa99887766554433221100', state: 'active' }] });
  su = await signInSuperuser(t, 'anna@example.com', [customerA]);
  readerId = await createActiveUser(t, { email: 'bernd@example.com' });
  reader = await signIn(t.app, 'bernd@example.com', goodPassword);
  t.clock.advance(60_000);
  expect((await post(t, su, '/api/grants', { selection: { ids: [a1.deviceId] }, email: 'bernd@example.com' })).statusCode).toBe(201);
  t.clock.advance(60_000);
  await t.container.keyVersions.transition({ principal: asSystem.principal, actor: opActor(), deviceId: a1.deviceId, keyId: a1.keyIds[0] ?? '', to: 'compromised', reason: 'seal broken' });
  t.clock.advance(60_000);
  await t.container.keyVersions.transition({ principal: asSystem.principal, actor: opActor(), deviceId: b1.deviceId, keyId: b1.keyIds[0] ?? '', to: 'deactivated', reason: 'meter replaced' });
});
afterAll(async () => t?.close());

describe('who sees which records', () => {
  it('links a record about a device in audit_devices, and a grant through its grants rows, outside the chain', async () => {
    const change = (await auditOf(t, 'key.state_change')).find((r) => r.target_id === a1.keyIds[0]);
    const links = await t.container.db.kysely.selectFrom('audit_devices').selectAll().where('audit_seq', '=', change?.seq ?? -1).execute();
    expect(links.map((l) => l.device_id)).toEqual([a1.deviceId]);
    const grantRecord = (await auditOf(t, 'grant.create')).at(-1);
    const row = await t.container.db.kysely.selectFrom('grants').selectAll().where('reader_id', '=', readerId).executeTakeFirstOrThrow();
    expect(row.granted_audit_id).toBe(grantRecord?.id);
    expect(row.revoked_audit_id).toBeNull();
  });

  it('operators see every record, account and security events included', async () => {
    const all = (await items(op, '?limit=200')).items;
    const names = new Set(all.map((i) => i.event));
    for (const name of ['session.create', 'mfa.enrol', 'grant.create', 'key.state_change', 'key.compromise_notice', 'customer.create']) expect(names).toContain(name);
    const change = all.find((i) => i.event === 'key.state_change' && i.device?.id === b1.deviceId);
    expect(change).toMatchObject({ actor: { id: op.userId, email: 'ops@example.com' }, ip: '192.0.2.7', device: { id: b1.deviceId, serial: '=1+2' }, details: { from: 'active', to: 'deactivated', reason: 'meter replaced', deviceId: b1.deviceId } });
    expect(all.map((i) => i.seq)).toEqual([...all.map((i) => i.seq)].sort((x, y) => y - x));
  });

  it('a superuser sees the records of his customer accounts\' devices only, other users not named', async () => {
    expect(await events(su)).toEqual([
      ['key.compromise_notice', a1.deviceId],
      ['key.state_change', a1.deviceId],
      ['grant.create', a1.deviceId],
    ]);
    const grantItem = (await items(su, '?event=grant.create')).items[0];
    expect(grantItem).toMatchObject({ actor: { id: su.userId, email: 'anna@example.com' }, target: null, details: {} });
  });

  it('a reader sees the records of his granted device, who acted and from where, never other devices', async () => {
    const page = (await items(reader)).items;
    expect(page.map((i) => [i.event, i.device?.id])).toEqual([
      ['key.compromise_notice', a1.deviceId],
      ['key.state_change', a1.deviceId],
      ['grant.create', a1.deviceId],
    ]);
    expect(page[1]).toMatchObject({ actor: { email: 'ops@example.com' }, ip: '192.0.2.7', details: { from: 'active', to: 'compromised', reason: 'seal broken' } });
    expect(page[1]?.details).not.toHaveProperty('deviceId');
    // His own grant names him.
    expect(page[2]?.target).toEqual({ type: 'user', id: readerId });
  });

  it('a device filter outside the scope is 404, audited; by serial it finds the device in scope', async () => {
    for (const device of [b1.deviceId, a2]) {
      const res = await get(t, reader, `/api/audit?device=${encodeURIComponent(device)}`);
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('not_found');
      const denial = (await auditOf(t, 'access.deny')).filter((r) => r.target_id === device).at(-1);
      expect(denial).toMatchObject({ actor_id: readerId, target_type: 'device', result: 'denied' });
    }
    expect(await events(reader, '?device=20000001')).toEqual([
      ['key.compromise_notice', a1.deviceId],
      ['key.state_change', a1.deviceId],
      ['grant.create', a1.deviceId],
    ]);
    expect(await events(su, `?device=${a2}`)).toEqual([]);
  });
});

describe('filters and paging', () => {
  it('filters by device, actor, event and time, and refuses unknown events and reversed times naming the field', async () => {
    expect(await events(op, `?device=${b1.deviceId}`)).toEqual([['key.state_change', b1.deviceId]]);
    expect(await events(op, `?device=${a1.deviceId}&event=key.state_change`)).toEqual([['key.state_change', a1.deviceId]]);
    expect((await items(op, '?actor=anna@example.com&event=grant.create')).items.map((i) => i.actor?.email)).toEqual(['anna@example.com']);
    expect(await events(op, '?actor=nobody@example.com')).toEqual([]);
    const grantAt = (await auditOf(t, 'grant.create')).at(-1)?.occurred_at ?? '';
    expect(await events(reader, `?from=${grantAt}&to=${grantAt}`)).toEqual([['grant.create', a1.deviceId]]);
    expect(await events(reader, `?from=${grantAt.slice(0, 10)}&to=${grantAt.slice(0, 10)}`)).toHaveLength(3);
    expect(await events(reader, '?to=2000-01-01')).toEqual([]);
    for (const [query, field] of [['?event=key.exploded', 'event'], ['?from=2026-02-30', 'from'], ['?from=2026-12-02&to=2026-12-01', 'to']] as const) {
      const res = await get(t, op, `/api/audit${query}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [{ field }] });
    }
    expect((await get(t, op, '/api/audit?cursor=abc')).statusCode).toBe(400);
  });

  it('pages newest first by keyset, without gaps or repeats', async () => {
    const whole = (await items(reader)).items.map((i) => i.seq);
    const walked: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Item[]; nextCursor: string | null } = await items(reader, `?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`);
      walked.push(...page.items.map((i) => i.seq));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(walked).toEqual(whole);
  });
});

describe('the CSV download', () => {
  it('streams the filtered trail with formula-like cells neutralised, no-store', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/api/audit.csv?device=${b1.deviceId}`, headers: as(op) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-disposition']).toBe('attachment; filename="audit-trail.csv"');
    const change = (await auditOf(t, 'key.state_change')).find((r) => r.target_id === b1.keyIds[0]);
    const details = JSON.stringify({ deviceId: b1.deviceId, keyType: 'DEK', version: 1, from: 'active', to: 'deactivated', reason: 'meter replaced' }).replaceAll('"', '""');
    expect(res.body).toBe(
      'seq,time,event,result,actor,ip,device_id,manufacturer,serial,target_type,target_id,reason,details\r\n' +
        `${change?.seq},${change?.occurred_at},key.state_change,allowed,ops@example.com,192.0.2.7,${b1.deviceId},KAM,"'=1+2",device-key,${b1.keyIds[0]},,"${details}"\r\n`,
    );
  });

  it('holds the same records as the pages, and refuses a device outside the scope before the first byte', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/audit.csv', headers: as(reader) });
    expect(res.body.trim().split('\r\n').slice(1).map((line) => line.split(',')[2])).toEqual(['key.compromise_notice', 'key.state_change', 'grant.create']);
    const refused = await t.app.inject({ method: 'GET', url: `/api/audit.csv?device=${b1.deviceId}`, headers: as(reader) });
    expect(refused.statusCode).toBe(404);
    expect(refused.json().error.code).toBe('not_found');
  });
});

describe('after a revocation', () => {
  it('the reader no longer sees the device\'s records, past or new; the superuser sees the revocation', async () => {
    t.clock.advance(60_000);
    const revoke = await post(t, su, '/api/grants/revoke', { readerId, selection: { ids: [a1.deviceId] } });
    expect(revoke.statusCode).toBe(200);
    const row = await t.container.db.kysely.selectFrom('grants').selectAll().where('reader_id', '=', readerId).executeTakeFirstOrThrow();
    expect(row.revoked_audit_id).toBe((await auditOf(t, 'grant.revoke')).at(-1)?.id);
    await t.container.keyVersions.transition({ principal: asSystem.principal, actor: opActor(), deviceId: a1.deviceId, keyId: a1.keyIds[0] ?? '', to: 'destroyed' });
    expect(await events(reader)).toEqual([]);
    expect((await get(t, reader, `/api/audit?device=${a1.deviceId}`)).statusCode).toBe(404);
    expect((await events(su)).slice(0, 2)).toEqual([
      ['key.state_change', a1.deviceId],
      ['grant.revoke', a1.deviceId],
    ]);
  });

  it('leaves the chain intact: audit verify sees every record', async () => {
    const records = await t.container.db.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(await t.container.auditTrail.verify(asSystem)).toMatchObject({ ok: true, records: Number(records.n) });
  });
});
