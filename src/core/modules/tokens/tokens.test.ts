import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, signIn, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword } from '../../../../test/support/accounts.js';
import { storeDevice } from '../../../../test/support/devices.js';
import { post } from '../../../../test/support/grants.js';

// API tokens over the API (docs/api-tokens.md): create, list, revoke, Bearer authentication and
// every refusal, with status, exact code, rows and audit records.

let t: TestApp;
let op: SignedIn;
let user: SignedIn;
let customerA: string;
let devA1: string;
let devA2: string;
let devB: string;

const bearer = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload }) });
const refusal = (res: { statusCode: number; json(): { error: { code: string; details?: unknown } } }) => ({ status: res.statusCode, code: res.json().error.code, details: res.json().error.details });
const serials = (res: { json(): unknown }) => (res.json() as { items: Array<{ serial: string }> }).items.map((d) => d.serial);

async function createToken(s: SignedIn, body: object) {
  const res = await post(t, s, '/api/me/tokens', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ token: string; view: { id: string; expiresAt: string; status: string } }>();
}

beforeAll(async () => {
  t = await createTestApp({ container: { denialAggregation: { windowMs: 0 } } });
  op = await t.signInOperator('ops@example.com');
  customerA = (await t.container.customers.create({ customerNo: '4711', name: 'Stadtwerke Musterstadt', ...asSystem })).id;
  const customerB = (await t.container.customers.create({ customerNo: '4712', name: 'Wohnbau Musterstadt', ...asSystem })).id;
  devA1 = (await storeDevice(t.container, { manufacturer: 'KAM', serial: '20000001', customerAccountId: customerA, keys: [{ hex: '00112233445566778899aabbccddeeff' }] })).deviceId;
  devA2 = (await storeDevice(t.container, { manufacturer: 'KAM', serial: '20000002', customerAccountId: customerA, keys: [{ hex: '0102030405060708090a0b0c0d0e0f10' }] })).deviceId;
  devB = (await storeDevice(t.container, { manufacturer: 'KAM', serial: '30000001', customerAccountId: customerB, keys: [{ hex: 'ffeeddccbbaa99887766554433221100' }] })).deviceId;
  await createActiveUser(t, { email: 'leser@example.com' });
  user = await signIn(t.app, 'leser@example.com', goodPassword);
});
afterAll(async () => t?.close());

describe('Bearer authentication', () => {
  it('a token reaches what its user reaches, narrowed by its filter; a revoked token is refused on the very next request', async () => {
    const all = await createToken(op, { name: 'Alles', kind: 'read' });
    expect(all.token).toMatch(/^oeks_[A-Za-z0-9_-]{43}$/);
    expect(serials(await bearer(all.token, 'GET', '/api/devices'))).toEqual(['20000001', '20000002', '30000001']);

    const narrow = await createToken(op, { name: 'Nur A1', kind: 'gateway', deviceFilter: { serial: '2000000*', serialTo: '20000001' } });
    expect(serials(await bearer(narrow.token, 'GET', '/api/devices'))).toEqual(['20000001']);
    expect(refusal(await bearer(narrow.token, 'GET', `/api/devices/${devA2}`))).toMatchObject({ status: 404, code: 'not_found' });
    expect((await bearer(narrow.token, 'GET', `/api/devices/${devA1}`)).statusCode).toBe(200);

    const byCustomer = await createToken(op, { name: 'Kunde B', kind: 'read', deviceFilter: { customerNo: '4712' } });
    expect(serials(await bearer(byCustomer.token, 'GET', '/api/devices'))).toEqual(['30000001']);
    expect((await bearer(byCustomer.token, 'GET', `/api/devices/${devB}`)).statusCode).toBe(200);

    expect((await t.app.inject({ method: 'DELETE', url: `/api/me/tokens/${all.view.id}`, headers: { cookie: op.cookie, 'x-csrf-token': op.csrfToken } })).statusCode).toBe(204);
    expect(refusal(await bearer(all.token, 'GET', '/api/devices'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect((await auditOf(t, 'access.deny')).at(-1)).toMatchObject({ actor_id: op.userId, target_type: 'api-token', target_id: all.view.id, reason: 'token revoked', auth_method: 'token' });
  });

  it('an unknown or malformed token is refused like a revoked one', async () => {
    expect(refusal(await bearer('oeks_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'GET', '/api/devices'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(refusal(await bearer('nonsense', 'GET', '/api/devices'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    const res = await t.app.inject({ method: 'GET', url: '/api/devices', headers: { authorization: 'Bearer' } });
    expect(refusal(res)).toMatchObject({ status: 401, code: 'unauthenticated' });
  });

  it('a user without grants sees nothing through his token', async () => {
    const mine = await createToken(user, { name: 'Leser', kind: 'read' });
    expect(serials(await bearer(mine.token, 'GET', '/api/devices'))).toEqual([]);
  });
});


