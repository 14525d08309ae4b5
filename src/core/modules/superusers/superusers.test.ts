import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, enrolTotp, signIn, type SignedIn, type TestApp, totpCode } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword } from '../../../../test/support/accounts.js';
import { storeDevice } from '../../../../test/support/devices.js';

// What being superuser changes (docs/superusers.md): the devices of exactly the linked customer
// accounts, the second factor, the role — and that an unlink takes effect on the next request.

let t: TestApp;
let op: SignedIn;
let customerA: string;
let customerB: string;
const devicesA: string[] = [];
let deviceB: string;

beforeAll(async () => {
  t = await createTestApp();
  op = await t.signInOperator('ops@example.com');
  customerA = (await t.container.customers.create({ customerNo: '4711', name: 'Stadtwerke Musterstadt', ...asSystem })).id;
  customerB = (await t.container.customers.create({ customerNo: '4712', name: 'Wohnbau Musterstadt', ...asSystem })).id;
  for (const serial of ['30000001', '30000002']) devicesA.push((await storeDevice(t.container, { manufacturer: 'KAM', serial, customerAccountId: customerA })).deviceId);
  deviceB = (await storeDevice(t.container, { manufacturer: 'KAM', serial: '30000003', customerAccountId: customerB })).deviceId;
  await storeDevice(t.container, { manufacturer: 'KAM', serial: '30000004', customerAccountId: null });
});
afterAll(async () => t?.close());

const as = (s: SignedIn) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });
const get = (s: SignedIn, url: string) => t.app.inject({ method: 'GET', url, headers: as(s) });
const link = (payload: object) => t.app.inject({ method: 'POST', url: '/api/superuser-links', headers: as(op), payload });
const unlink = (customerId: string, userId: string) => t.app.inject({ method: 'DELETE', url: `/api/superuser-links/${customerId}/${userId}`, headers: as(op) });
const serials = async (s: SignedIn) => (await get(s, '/api/devices')).json().items.map((d: { serial: string }) => d.serial);

/** A user linked to customer A who has signed in again and set up the second factor. */
async function superuserOfA(email: string): Promise<SignedIn & { secret: string }> {
  const userId = await createActiveUser(t, { email });
  const before = await signIn(t.app, email, goodPassword);
  expect(before.stage).toBe('complete');
  expect(await serials(before)).toEqual([]);

  const res = await link({ email: ` ${email.toUpperCase()} `, customerId: customerA });
  expect(res.statusCode).toBe(201);
  expect(res.json()).toMatchObject({ user: { id: userId, email }, customer: { id: customerA, customerNo: '4711', name: 'Stadtwerke Musterstadt' }, linkedBy: { id: op.userId, email: 'ops@example.com' }, requestId: null });
  expect((await get(before, '/api/session')).statusCode).toBe(401);

  const again = await signIn(t.app, email, goodPassword);
  expect(again.stage).toBe('enrol');
  // Until the second factor is set up, the devices stay closed.
  expect((await get(again, '/api/devices')).json().error.code).toBe('mfa_enrolment_required');
  const enrolled = await enrolTotp(t.app, again, t.clock);
  return { ...enrolled.session, userId, secret: enrolled.secret };
}

describe('a superuser', () => {
  it('sees exactly the devices of the linked accounts, and has the role', async () => {
    const su = await superuserOfA('anna.haendler@example.com');
    expect(await serials(su)).toEqual(['30000001', '30000002']);
    expect((await get(su, '/api/devices/count')).json()).toEqual({ total: 2 });
    expect((await get(su, `/api/devices/${devicesA[0]}`)).statusCode).toBe(200);
    const foreign = await get(su, `/api/devices/${deviceB}`);
    expect({ status: foreign.statusCode, code: foreign.json().error.code }).toEqual({ status: 404, code: 'not_found' });
    expect((await get(su, '/api/devices?customerNo=4712')).json().items).toEqual([]);
    expect((await get(su, '/api/session')).json().user.roles).toEqual(['user', 'superuser']);
    expect((await get(su, '/api/me/customer-accounts')).json()).toEqual({ items: [{ id: customerA, customerNo: '4711', name: 'Stadtwerke Musterstadt', linkedAt: t.clock.now().toISOString() }] });
    // Operator areas stay closed.
    expect((await get(su, '/api/customers')).statusCode).toBe(404);
    expect((await get(su, '/api/access-requests')).statusCode).toBe(404);
  });

  it('cannot switch the second factor off', async () => {
    const su = await superuserOfA('bert.haendler@example.com');
    const res = await t.app.inject({ method: 'DELETE', url: '/api/me/mfa/totp', headers: as(su), payload: { password: goodPassword, code: totpCode(su.secret, t.clock, 1) } });
    expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 403, code: 'forbidden' });
    expect((await get(su, '/api/me/mfa')).json()).toMatchObject({ required: true, totp: 'on' });
  });

  it('loses the devices on the very next request after an unlink, which is audited', async () => {
    const su = await superuserOfA('carla.haendler@example.com');
    expect(await serials(su)).toHaveLength(2);
    const res = await unlink(customerA, su.userId);
    expect(res.statusCode).toBe(204);
    expect(await serials(su)).toEqual([]);
    expect((await get(su, `/api/devices/${devicesA[0]}`)).statusCode).toBe(404);
    expect((await get(su, '/api/session')).json().user.roles).toEqual(['user']);
    const [record] = (await auditOf(t, 'superuser.unlink')).filter((a) => JSON.parse(a.details).userId === su.userId);
    expect(record).toMatchObject({ actor_id: op.userId, target_type: 'customer', target_id: customerA, result: 'allowed' });
    const again = await unlink(customerA, su.userId);
    expect({ status: again.statusCode, code: again.json().error.code }).toEqual({ status: 404, code: 'not_found' });
  });
});

describe('direct links', () => {
  it('refuses unknown users, operators, unknown accounts and existing links, naming the field', async () => {
    const userId = await createActiveUser(t, { email: 'dora.haendler@example.com' });
    const cases: Array<[object, string, string]> = [
      [{ email: 'nobody@example.com', customerId: customerA }, 'email', 'no such user'],
      [{ email: 'ops@example.com', customerId: customerA }, 'email', 'is an operator'],
      [{ email: 'dora.haendler@example.com', customerId: 'cus_doesnotexist' }, 'customerId', 'no such customer account'],
    ];
    for (const [payload, field, reason] of cases) {
      const res = await link(payload);
      expect({ status: res.statusCode, code: res.json().error.code, details: res.json().error.details }).toEqual({ status: 400, code: 'validation_failed', details: [{ field, reason }] });
    }
    expect((await link({ email: 'dora.haendler@example.com', customerId: customerB })).statusCode).toBe(201);
    const twice = await link({ email: 'dora.haendler@example.com', customerId: customerB });
    expect({ status: twice.statusCode, code: twice.json().error.code }).toEqual({ status: 409, code: 'superuser_link_exists' });
    const rows = await t.container.db.kysely.selectFrom('superuser_links').selectAll().where('user_id', '=', userId).execute();
    expect(rows.map((r) => r.customer_account_id)).toEqual([customerB]);
    const records = (await auditOf(t, 'superuser.link')).filter((a) => JSON.parse(a.details).userId === userId);
    expect(records).toHaveLength(1);
    expect(JSON.parse(records[0]?.details ?? '{}')).toEqual({ userId, requestId: null, sessionsEnded: 0 });
  });

  it('lists who is superuser of what, by account and by user, paged', async () => {
    const erik = await createActiveUser(t, { email: 'erik.haendler@example.com', name: 'Erik' });
    expect((await link({ email: 'erik.haendler@example.com', customerId: customerA })).statusCode).toBe(201);
    expect((await link({ email: 'erik.haendler@example.com', customerId: customerB })).statusCode).toBe(201);
    const byUser = (await get(op, `/api/superuser-links?userId=${erik}`)).json();
    expect(byUser.items.map((l: { customer: { customerNo: string } }) => l.customer.customerNo)).toEqual(['4711', '4712']);
    expect(byUser.items[0].user).toEqual({ id: erik, email: 'erik.haendler@example.com', name: 'Erik' });

    const byCustomer = (await get(op, `/api/superuser-links?customerId=${customerB}`)).json().items.map((l: { user: { email: string } }) => l.user.email);
    expect(byCustomer).toEqual([...byCustomer].sort());
    expect(byCustomer).toContain('erik.haendler@example.com');
    expect(byCustomer).not.toContain('anna.haendler@example.com');

    const all = (await get(op, '/api/superuser-links?limit=200')).json().items;
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: Array<{ user: { id: string }; customer: { id: string } }>; nextCursor: string | null } = (
        await get(op, `/api/superuser-links?limit=2${cursor ? `&cursor=${cursor}` : ''}`)
      ).json();
      paged.push(...page.items.map((l) => `${l.customer.id} ${l.user.id}`));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(paged).toEqual(all.map((l: { user: { id: string }; customer: { id: string } }) => `${l.customer.id} ${l.user.id}`));
  });

  it('answers 404 to a superuser on the operators’ link routes, and audits the denial', async () => {
    const su = await superuserOfA('fritz.haendler@example.com');
    const res = await t.app.inject({ method: 'POST', url: '/api/superuser-links', headers: as(su), payload: { email: 'fritz.haendler@example.com', customerId: customerB } });
    expect({ status: res.statusCode, code: res.json().error.code }).toEqual({ status: 404, code: 'not_found' });
    const denial = (await auditOf(t, 'access.deny')).filter((a) => a.actor_id === su.userId);
    expect(denial).toHaveLength(1);
    expect(denial[0]).toMatchObject({ actor_role: 'superuser', target_id: 'POST /api/superuser-links' });
    expect(await serials(su)).toEqual(['30000001', '30000002']);
  });
});
