import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actorFor } from '../../src/core/access/actor.js';
import type { PersonPrincipal } from '../../src/core/access/principal.js';
import { asSystem, createTestApp, signIn, type SignedIn, type TestApp } from '../harness.js';
import { auditOf, createActiveUser, goodPassword, signInNewUser } from '../support/accounts.js';
import { storeDevice } from '../support/devices.js';
import { get, post, signInSuperuser } from '../support/grants.js';

// SEC-28, SEC-29, SEC-31 for read rights (docs/grants.md): a generated authorization matrix.
// Users (operator, two superusers of different customer accounts, two readers with overlapping
// grants, a reader whose grant was revoked, a user with nothing) × devices × every route that
// selects devices: the list (also filtered to the device), the count (also filtered), the device
// page, the key read, the audit trail filtered to the device (page and CSV), and the selections of the readers dialog, grant and revoke (by ids and by
// filter — "select all"). Nobody reaches a device outside his scope: 404 (audited) where a
// device is named, a count of 0 where a filter is, nothing stored.

type Who = 'operator' | 'superuserA' | 'superuserB' | 'reader1' | 'reader2' | 'revoked' | 'nobody';
const everyone: Who[] = ['operator', 'superuserA', 'superuserB', 'reader1', 'reader2', 'revoked', 'nobody'];
type Dev = 'a1' | 'a2' | 'a3' | 'b1' | 'free';
const devices: Record<Dev, { serial: string; customer: 'A' | 'B' | null }> = {
  a1: { serial: '41000001', customer: 'A' },
  a2: { serial: '41000002', customer: 'A' },
  a3: { serial: '41000003', customer: 'A' },
  b1: { serial: '42000001', customer: 'B' },
  free: { serial: '43000001', customer: null },
};
const all = Object.keys(devices) as Dev[];

// What each may see, and what each may hand on.
const sees: Record<Who, Dev[]> = {
  operator: all,
  superuserA: ['a1', 'a2', 'a3'],
  superuserB: ['b1'],
  reader1: ['a1', 'a2'],
  reader2: ['a2', 'b1'],
  revoked: [],
  nobody: [],
};
const grants: Record<Who, Dev[]> = { operator: all, superuserA: ['a1', 'a2', 'a3'], superuserB: ['b1'], reader1: [], reader2: [], revoked: [], nobody: [] };

let t: TestApp;
const session = {} as Record<Who, SignedIn>;
const principal = {} as Record<Who, PersonPrincipal>;
const id = {} as Record<Dev, string>;
let target: string;

beforeAll(async () => {
  // Every refusal counted one by one: the same refusal repeated within a minute is folded
  // otherwise (access.deny_repeated), and this matrix repeats refusals on purpose.
  t = await createTestApp({ container: { denialAggregation: { windowMs: 0 } } });
  session.operator = await t.signInOperator('ops@example.com');
  const A = (await t.container.customers.create({ customerNo: 'A-1', name: 'Stadtwerke A', ...asSystem })).id;
  const B = (await t.container.customers.create({ customerNo: 'B-1', name: 'Stadtwerke B', ...asSystem })).id;
  for (const dev of all) {
    const customerAccountId = devices[dev].customer === 'A' ? A : devices[dev].customer === 'B' ? B : null;
    id[dev] = (await storeDevice(t.container, { manufacturer: 'KAM', serial: devices[dev].serial, customerAccountId, keys: [{ hex: '00112233445566778899aabbccddeeff' }] })).deviceId;
  }
  session.superuserA = await signInSuperuser(t, 'su.a@example.com', [A]);
  session.superuserB = await signInSuperuser(t, 'su.b@example.com', [B]);
  for (const who of ['reader1', 'reader2', 'revoked'] as const) await createActiveUser(t, { email: `${who}@example.com` });
  target = await createActiveUser(t, { email: 'target@example.com' });

  const assign = async (by: Who, devs: Dev[], email: string) => {
    const res = await post(t, session[by], '/api/grants', { selection: { ids: devs.map((d) => id[d]) }, email });
    expect(res.statusCode).toBe(201);
    return res.json<{ reader: { readerId: string } }>().reader.readerId;
  };
  await assign('superuserA', ['a1', 'a2'], 'reader1@example.com');
  await assign('superuserA', ['a2'], 'reader2@example.com');
  await assign('superuserB', ['b1'], 'reader2@example.com');
  const revokedId = await assign('operator', ['a3'], 'revoked@example.com');
  expect((await post(t, session.superuserA, '/api/grants/revoke', { readerId: revokedId })).json()).toEqual({ revoked: 1 });

  for (const who of ['reader1', 'reader2', 'revoked'] as const) session[who] = { ...(await signIn(t.app, `${who}@example.com`, goodPassword)) };
  session.nobody = await signInNewUser(t, 'nobody@example.com');
  for (const who of everyone) {
    const p = await t.container.sessions.authenticate(session[who].cookie.split('=').slice(1).join('='));
    if (!p) throw new Error(`no principal for ${who}`);
    principal[who] = p;
  }
});
afterAll(async () => t?.close());

const actorOf = (who: Who) => actorFor(principal[who], { ip: null, userAgent: 'test', requestId: null });
const denials = async () => (await auditOf(t, 'access.deny')).length;
const code = (res: { statusCode: number; json(): { error?: { code: string } } }) => ({ status: res.statusCode, code: res.json().error?.code });

/** A 404 `not_found` that wrote exactly one `access.deny` record. */
async function expectDenied(call: () => Promise<{ statusCode: number; json(): { error?: { code: string } } }>) {
  const before = await denials();
  expect(code(await call())).toEqual({ status: 404, code: 'not_found' });
  expect(await denials()).toBe(before + 1);
}

describe.each(everyone)('%s', (who) => {
  it('lists and counts exactly his devices, also through every filter', async () => {
    const list = (await get(t, session[who], '/api/devices?limit=200')).json<{ items: Array<{ id: string }> }>().items.map((d) => d.id).sort();
    expect(list).toEqual(sees[who].map((d) => id[d]).sort());
    expect((await get(t, session[who], '/api/devices/count')).json()).toEqual({ total: sees[who].length });
    for (const dev of all) {
      const visible = sees[who].includes(dev) ? 1 : 0;
      expect((await get(t, session[who], `/api/devices/count?serial=${devices[dev].serial}`)).json(), `${who} counts ${dev}`).toEqual({ total: visible });
      expect((await get(t, session[who], `/api/devices?serial=${devices[dev].serial.slice(0, 4)}*&limit=200`)).json().items.some((d: { id: string }) => d.id === id[dev])).toBe(visible === 1);
    }
  });

  it('opens the device page and reads the key of his devices only (404, audited, otherwise)', async () => {
    for (const dev of all) {
      if (sees[who].includes(dev)) {
        expect((await get(t, session[who], `/api/devices/${id[dev]}`)).statusCode, `${who} opens ${dev}`).toBe(200);
        const key = await t.container.keys.readActive({ principal: principal[who], actor: actorOf(who), deviceId: id[dev], keyType: 'DEK' });
        expect(key?.key.toString('hex')).toBe('00112233445566778899aabbccddeeff');
      } else {
        await expectDenied(() => get(t, session[who], `/api/devices/${id[dev]}`));
        const before = await denials();
        await expect(t.container.keys.readActive({ principal: principal[who], actor: actorOf(who), deviceId: id[dev], keyType: 'DEK' })).rejects.toMatchObject({ code: 'not_found' });
        expect(await denials()).toBe(before + 1);
      }
    }
  });

  it('reads the audit trail of his devices only: filtered to a device outside his scope it is 404 (audited), page and CSV', async () => {
    type Page = { items: Array<{ device: { id: string } | null }> };
    const unfiltered = (await get(t, session[who], '/api/audit?limit=200')).json<Page>().items;
    if (who !== 'operator') expect(unfiltered.map((r) => r.device?.id).filter((d) => !sees[who].some((dev) => id[dev] === d)), `${who} reads only his devices' records`).toEqual([]);
    for (const dev of all) {
      if (sees[who].includes(dev)) {
        const res = await get(t, session[who], `/api/audit?device=${id[dev]}`);
        expect(res.statusCode, `${who} reads ${dev}'s trail`).toBe(200);
        const items = res.json<Page>().items;
        // Every device but the free one was granted in beforeAll: its grant record is in its trail.
        if (dev !== 'free') expect(items.length, `${who} sees ${dev}'s grant`).toBeGreaterThan(0);
        expect(items.every((r) => r.device?.id === id[dev])).toBe(true);
        expect((await get(t, session[who], `/api/audit.csv?device=${id[dev]}`)).statusCode).toBe(200);
      } else {
        await expectDenied(() => get(t, session[who], `/api/audit?device=${id[dev]}`));
        await expectDenied(() => get(t, session[who], `/api/audit.csv?device=${devices[dev].serial}`));
      }
    }
  });

  it('selects, grants and revokes only what he may hand on, by ids and by filter', async () => {
    for (const dev of all) {
      const byIds = { ids: [id[dev]] };
      const byFilter = { filter: { serial: devices[dev].serial }, count: 1 };
      if (grants[who].length === 0) {
        // Readers and plain users hold no grants.manage: every route is closed to them.
        await expectDenied(() => post(t, session[who], '/api/grants/readers', { selection: byFilter }));
        await expectDenied(() => post(t, session[who], '/api/grants', { selection: byIds, email: 'target@example.com' }));
        await expectDenied(() => post(t, session[who], '/api/grants/revoke', { readerId: target, selection: byIds }));
      } else if (grants[who].includes(dev)) {
        expect((await post(t, session[who], '/api/grants/readers', { selection: byIds })).statusCode).toBe(200);
        expect((await post(t, session[who], '/api/grants', { selection: byFilter, email: 'target@example.com' })).json()).toMatchObject({ granted: 1 });
        expect((await post(t, session[who], '/api/grants/revoke', { readerId: target, selection: byIds })).json()).toEqual({ revoked: 1 });
      } else {
        await expectDenied(() => post(t, session[who], '/api/grants/readers', { selection: byIds }));
        await expectDenied(() => post(t, session[who], '/api/grants', { selection: byIds, email: 'target@example.com' }));
        await expectDenied(() => post(t, session[who], '/api/grants/revoke', { readerId: target, selection: byIds }));
        // "Select all" of a filter that names a foreign device matches nothing in his scope.
        const res = await post(t, session[who], '/api/grants', { selection: byFilter, email: 'target@example.com' });
        expect({ ...code(res), details: res.json().error.details }).toEqual({ status: 409, code: 'selection_changed', details: [{ field: 'selection.count', reason: 'is now 0', count: 0 }] });
      }
    }
    const stored = await t.container.db.kysely.selectFrom('grants').select('device_id').where('reader_id', '=', target).where('revoked_at', 'is', null).execute();
    expect(stored).toEqual([]);
  });
});

describe('a revoked grant', () => {
  it('is history: the row stays, revoked, and reaches nothing', async () => {
    const row = await t.container.db.kysely.selectFrom('grants').innerJoin('users', 'users.id', 'grants.reader_id').selectAll('grants').where('users.email', '=', 'revoked@example.com').executeTakeFirst();
    expect(row).toMatchObject({ device_id: id.a3, revoked_by: principal.superuserA.userId });
    expect(row?.revoked_at).not.toBeNull();
  });
});
