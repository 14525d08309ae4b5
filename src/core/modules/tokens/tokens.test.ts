import { createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, signIn, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword, outboxMail } from '../../../../test/support/accounts.js';
import { storeDevice } from '../../../../test/support/devices.js';
import { as, get, post, signInSuperuser } from '../../../../test/support/grants.js';

// API tokens over the API (docs/api-tokens.md): create, list, revoke, Bearer authentication, the
// single-device key fetch, and every refusal, with status, exact code, rows and audit records.

let t: TestApp;
let op: SignedIn;
let user: SignedIn;
let dealer: SignedIn;
let devA1: string;
let devA2: string;
let devB: string;

const keyA1 = '00112233445566778899aabbccddeeff';
const keyA1Gpk = '0f0e0d0c0b0a09080706050403020100';
const keyB = 'ffeeddccbbaa99887766554433221100';

type Res = { statusCode: number; headers: Record<string, unknown>; body: string; json<T = unknown>(): T };
const bearer = (token: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object): Promise<Res> =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload === undefined ? {} : { payload }) });
const refusal = (res: Res) => {
  const body = res.json<{ error: { code: string; details?: unknown } }>();
  return { status: res.statusCode, code: body.error.code, details: body.error.details };
};
const serials = (res: Res) => res.json<{ items: Array<{ serial: string }> }>().items.map((d) => d.serial);
const del = (s: SignedIn, url: string) => t.app.inject({ method: 'DELETE', url, headers: as(s) });
const tokenRows = () => t.container.db.kysely.selectFrom('api_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
const lastDeny = async () => (await auditOf(t, 'access.deny')).at(-1);

interface Created {
  token: string;
  view: { id: string; name: string; kind: string; expiresAt: string; createdAt: string; status: string; deviceFilter: unknown; publicKeyFingerprint: string | null };
}
async function createToken(s: SignedIn, body: object): Promise<Created> {
  const res = await post(t, s, '/api/me/tokens', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<Created>();
}

beforeAll(async () => {
  t = await createTestApp({ container: { denialAggregation: { windowMs: 0 } } });
  op = await t.signInOperator('ops@example.com');
  const customerA = (await t.container.customers.create({ customerNo: '4711', name: 'Stadtwerke Musterstadt', ...asSystem })).id;
  const customerB = (await t.container.customers.create({ customerNo: '4712', name: 'Wohnbau Musterstadt', ...asSystem })).id;
  devA1 = (
    await storeDevice(t.container, {
      manufacturer: 'KAM',
      serial: '20000001',
      customerAccountId: customerA,
      keys: [
        { hex: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', version: 1, state: 'compromised' },
        { hex: keyA1, version: 2 },
        { hex: keyA1Gpk, keyType: 'GPK1', version: 1 },
        { hex: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', keyType: 'GPK2', version: 1, state: 'suspended' },
        { hex: 'cccccccccccccccccccccccccccccccc', keyType: 'GAK', version: 1, state: 'destroyed' },
      ],
    })
  ).deviceId;
  devA2 = (await storeDevice(t.container, { manufacturer: 'KAM', serial: '20000002', customerAccountId: customerA, keys: [{ hex: '0102030405060708090a0b0c0d0e0f10' }] })).deviceId;
  devB = (await storeDevice(t.container, { manufacturer: 'KAM', serial: '30000001', customerAccountId: customerB, keys: [{ hex: keyB }] })).deviceId;
  await createActiveUser(t, { email: 'leser@example.com' });
  user = await signIn(t.app, 'leser@example.com', goodPassword);
  dealer = await signInSuperuser(t, 'haendler@example.com', [customerA]);
});
afterAll(async () => t?.close());

describe('creating a token', () => {
  it('shows the token once, stores only its SHA-256, audits the creation, and lists it without the token', async () => {
    const created = await createToken(user, { name: ' Zählerskript ', kind: 'read' });
    expect(created.token).toMatch(/^oeks_[A-Za-z0-9_-]{43}$/);
    expect(created.view).toMatchObject({ name: 'Zählerskript', kind: 'read', status: 'active', deviceFilter: null, publicKeyFingerprint: null });
    // 90 days by default.
    expect(Date.parse(created.view.expiresAt) - Date.parse(created.view.createdAt)).toBe(90 * 86_400_000);

    const rows = await tokenRows();
    const row = rows.find((r) => r.id === created.view.id);
    expect(row?.token_hash).toBe(createHash('sha256').update(created.token).digest('hex'));
    // No column of any token row holds the token itself.
    for (const r of rows) expect(JSON.stringify(r)).not.toContain(created.token.slice(5));

    const record = (await auditOf(t, 'token.create')).at(-1);
    expect(record).toMatchObject({ actor_id: user.userId, target_type: 'api-token', target_id: created.view.id, result: 'allowed', auth_method: 'session' });
    expect(JSON.parse(record?.details ?? '{}')).toEqual({ name: 'Zählerskript', kind: 'read', expiresAt: created.view.expiresAt, deviceFilter: null, publicKey: null });
    expect(JSON.stringify(await auditOf(t, 'token.create'))).not.toContain(created.token.slice(5));

    // Its user hears of it by mail, in his language, without the token.
    const mail = await outboxMail(t, 'leser@example.com', 'api-token-created');
    expect(mail).toMatchObject({ language: 'en', subject: 'openeks: new API token "Zählerskript"' });
    expect(mail?.text).toContain('(kind: read) was created for your openeks account');
    expect(mail?.text).toContain('http://localhost:8080/profile');
    expect(mail?.text).not.toContain(created.token.slice(5));

    const list = await get(t, user, '/api/me/tokens');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(created.token.slice(5));
    expect(list.body).not.toContain(row?.token_hash);
    expect(list.json<{ items: Array<{ id: string }> }>().items.map((i) => i.id)).toEqual([created.view.id]);
  });

  it('takes 1 … 366 days and refuses anything else naming expiresInDays, storing nothing', async () => {
    const year = await createToken(user, { name: 'Ein Jahr', kind: 'gateway', expiresInDays: 366 });
    expect(Date.parse(year.view.expiresAt) - Date.parse(year.view.createdAt)).toBe(366 * 86_400_000);
    const before = (await tokenRows()).length;
    for (const expiresInDays of [0, 367, -1]) {
      const res = await post(t, user, '/api/me/tokens', { name: 'x', kind: 'read', expiresInDays });
      expect(refusal(res)).toMatchObject({ status: 400, code: 'validation_failed', details: [{ field: 'expiresInDays' }] });
    }
    const res = await post(t, user, '/api/me/tokens', { name: 'x', kind: 'writer' });
    expect(refusal(res)).toMatchObject({ status: 400, code: 'validation_failed' });
    expect(JSON.stringify(refusal(res).details)).toContain('kind');
    expect(refusal(await post(t, user, '/api/me/tokens', { name: '   ', kind: 'read' }))).toMatchObject({ status: 400, code: 'validation_failed', details: [{ field: 'name' }] });
    expect((await tokenRows()).length).toBe(before);
  });

  it('registers an X25519 public key (its fingerprint shown) and refuses any other key naming publicKey', async () => {
    const { publicKey } = generateKeyPairSync('x25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const created = await createToken(user, { name: 'Gateway Keller', kind: 'gateway', publicKey: pem });
    const der = publicKey.export({ type: 'spki', format: 'der' });
    expect(created.view.publicKeyFingerprint).toBe(createHash('sha256').update(der).digest('hex'));
    expect((await tokenRows()).find((r) => r.id === created.view.id)?.public_key?.trim()).toBe(pem.trim());

    const ed = generateKeyPairSync('ed25519');
    const x = generateKeyPairSync('x25519');
    for (const bad of [ed.publicKey.export({ type: 'spki', format: 'pem' }).toString(), x.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'not a key']) {
      expect(refusal(await post(t, user, '/api/me/tokens', { name: 'x', kind: 'gateway', publicKey: bad }))).toMatchObject({ status: 400, code: 'validation_failed', details: [{ field: 'publicKey' }] });
    }
  });
});

describe('Bearer authentication', () => {
  it('a token reaches what its user reaches, narrowed by its filter; a revoked token is refused on the very next request', async () => {
    const all = await createToken(op, { name: 'Alles', kind: 'read' });
    expect(serials(await bearer(all.token, 'GET', '/api/devices'))).toEqual(['20000001', '20000002', '30000001']);

    const narrow = await createToken(op, { name: 'Nur A1', kind: 'gateway', deviceFilter: { serial: '2000000*', serialTo: '20000001' } });
    expect(serials(await bearer(narrow.token, 'GET', '/api/devices'))).toEqual(['20000001']);
    expect(refusal(await bearer(narrow.token, 'GET', `/api/devices/${devA2}`))).toMatchObject({ status: 404, code: 'not_found' });
    expect((await bearer(narrow.token, 'GET', `/api/devices/${devA1}`)).statusCode).toBe(200);

    const byCustomer = await createToken(op, { name: 'Kunde B', kind: 'read', deviceFilter: { customerNo: '4712' } });
    expect(serials(await bearer(byCustomer.token, 'GET', '/api/devices'))).toEqual(['30000001']);
    expect((await bearer(byCustomer.token, 'GET', `/api/devices/${devB}`)).statusCode).toBe(200);

    expect((await del(op, `/api/me/tokens/${all.view.id}`)).statusCode).toBe(204);
    expect(refusal(await bearer(all.token, 'GET', '/api/devices'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(await lastDeny()).toMatchObject({ actor_id: op.userId, target_type: 'api-token', target_id: all.view.id, reason: 'token revoked', auth_method: 'token' });
    // Revoking again changes nothing and writes nothing.
    const revokes = (await auditOf(t, 'token.revoke')).length;
    expect((await del(op, `/api/me/tokens/${all.view.id}`)).statusCode).toBe(204);
    expect((await auditOf(t, 'token.revoke')).length).toBe(revokes);
    expect((await get(t, op, '/api/me/tokens')).json<{ items: Array<{ id: string; status: string }> }>().items.find((i) => i.id === all.view.id)?.status).toBe('revoked');
  });

  it('refuses an unknown or malformed token like a revoked one, and ignores another scheme', async () => {
    expect(refusal(await bearer('oeks_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'GET', '/api/devices'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(refusal(await bearer('nonsense', 'GET', '/api/devices'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(refusal(await t.app.inject({ method: 'GET', url: '/api/devices', headers: { authorization: 'Bearer' } }))).toMatchObject({ status: 401, code: 'unauthenticated' });
    // A proxy's Basic credentials leave the session in charge.
    expect((await t.app.inject({ method: 'GET', url: '/api/devices', headers: { ...as(op), authorization: 'Basic dXNlcjpwYXNz' } })).statusCode).toBe(200);
  });

  it('refuses an expired token', async () => {
    const short = await createToken(dealer, { name: 'Kurz', kind: 'read', expiresInDays: 1 });
    expect((await bearer(short.token, 'GET', '/api/devices')).statusCode).toBe(200);
    // A day later (the sessions of this file stay alive: the expiry is moved instead of the clock).
    await t.container.db.kysely.updateTable('api_tokens').set({ expires_at: t.clock.now().toISOString() }).where('id', '=', short.view.id).execute();
    expect(refusal(await bearer(short.token, 'GET', '/api/devices'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(await lastDeny()).toMatchObject({ target_type: 'api-token', target_id: short.view.id, reason: 'token expired' });
    expect((await get(t, dealer, '/api/me/tokens')).json<{ items: Array<{ id: string; status: string }> }>().items.find((i) => i.id === short.view.id)?.status).toBe('expired');
  });

  it("refuses the token of a disabled user, and follows its user's links on every request", async () => {
    const userId = await createActiveUser(t, { email: 'kurzzeit@example.com' });
    const s = await signIn(t.app, 'kurzzeit@example.com', goodPassword);
    const mine = await createToken(s, { name: 'Skript', kind: 'read' });
    expect(serials(await bearer(mine.token, 'GET', '/api/devices'))).toEqual([]);
    // A link read afresh: superuser of 4712 on the next request.
    const customerB = (await t.container.db.kysely.selectFrom('customer_accounts').select('id').where('customer_no', '=', '4712').executeTakeFirstOrThrow()).id;
    await t.container.db.kysely.insertInto('superuser_links').values({ user_id: userId, customer_account_id: customerB, linked_by: null, request_id: null, created_at: t.clock.now().toISOString() }).execute();
    expect(serials(await bearer(mine.token, 'GET', '/api/devices'))).toEqual(['30000001']);
    await t.container.db.kysely.updateTable('users').set({ status: 'disabled' }).where('id', '=', userId).execute();
    expect(refusal(await bearer(mine.token, 'GET', '/api/devices'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(await lastDeny()).toMatchObject({ actor_id: userId, target_type: 'api-token', target_id: mine.view.id, reason: 'user not active' });
  });

  it('writes the last use at most once a minute, with the address', async () => {
    const mine = await createToken(user, { name: 'Zuletzt', kind: 'read' });
    const lastUse = async () => (await tokenRows()).find((r) => r.id === mine.view.id);
    const send = () => t.app.inject({ method: 'GET', url: '/api/devices', headers: { authorization: `Bearer ${mine.token}` }, remoteAddress: '192.0.2.7' });
    expect((await send()).statusCode).toBe(200);
    const first = t.clock.now().toISOString();
    expect(await lastUse()).toMatchObject({ last_used_at: first, last_used_ip: '192.0.2.7' });
    t.clock.advance(30_000);
    await send();
    expect((await lastUse())?.last_used_at).toBe(first);
    t.clock.advance(30_000);
    await send();
    expect((await lastUse())?.last_used_at).toBe(t.clock.now().toISOString());
    const listed = (await get(t, user, '/api/me/tokens')).json<{ items: Array<{ id: string; lastUsedAt: string; lastUsedIp: string }> }>().items.find((i) => i.id === mine.view.id);
    expect(listed).toMatchObject({ lastUsedAt: t.clock.now().toISOString(), lastUsedIp: '192.0.2.7' });
  });
});

describe('what a token can never do', () => {
  it('cannot grant: 404, audited, nothing stored', async () => {
    const mine = await createToken(dealer, { name: 'Händler', kind: 'read' });
    const res = await bearer(mine.token, 'POST', '/api/grants', { selection: { ids: [devA1] }, email: 'someone@example.com' });
    expect(refusal(res)).toMatchObject({ status: 404, code: 'not_found' });
    expect(await lastDeny()).toMatchObject({ actor_id: dealer.userId, auth_method: 'token', target_type: 'route', target_id: 'POST /api/grants', result: 'denied' });
    expect(await t.container.db.kysely.selectFrom('grants').select('id').execute()).toEqual([]);
    expect(refusal(await bearer(mine.token, 'POST', '/api/grants/revoke', { readerId: user.userId }))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('cannot create, list or revoke tokens, nor change the account', async () => {
    const mine = await createToken(op, { name: 'Betrieb', kind: 'gateway' });
    const before = (await tokenRows()).length;
    expect(refusal(await bearer(mine.token, 'POST', '/api/me/tokens', { name: 'Nachwuchs', kind: 'read' }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await lastDeny()).toMatchObject({ target_type: 'route', target_id: 'POST /api/me/tokens', auth_method: 'token' });
    expect(refusal(await bearer(mine.token, 'GET', '/api/me/tokens'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(refusal(await bearer(mine.token, 'DELETE', `/api/me/tokens/${mine.view.id}`))).toMatchObject({ status: 404, code: 'not_found' });
    expect(refusal(await bearer(mine.token, 'GET', '/api/tokens'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(refusal(await bearer(mine.token, 'POST', `/api/tokens/${mine.view.id}/revoke`))).toMatchObject({ status: 404, code: 'not_found' });
    expect(refusal(await bearer(mine.token, 'POST', '/api/customers', { customerNo: '9', name: 'x' }))).toMatchObject({ status: 404, code: 'not_found' });
    expect(refusal(await bearer(mine.token, 'GET', '/api/me'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(refusal(await t.app.inject({ method: 'PATCH', url: '/api/me', headers: { authorization: `Bearer ${mine.token}` }, payload: { name: 'Maschine' } }))).toMatchObject({ status: 404, code: 'not_found' });
    expect((await t.container.db.kysely.selectFrom('users').select('name').where('id', '=', op.userId).executeTakeFirstOrThrow()).name).not.toBe('Maschine');
    expect((await tokenRows()).length).toBe(before);
    expect((await tokenRows()).find((r) => r.id === mine.view.id)?.revoked_at).toBeNull();
  });
});

describe('the single-device key fetch', () => {
  it('answers the active keys only, no-store, with key.read committed and linked to the device', async () => {
    const mine = await createToken(op, { name: 'Schlüssel', kind: 'read' });
    const res = await bearer(mine.token, 'GET', `/api/devices/${devA1}/keys`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.json<{ deviceId: string; keys: Array<{ keyType: string; version: number; key: string }> }>();
    expect(body.deviceId).toBe(devA1);
    expect(body.keys.map((k) => [k.keyType, k.version, k.key])).toEqual([
      ['DEK', 2, keyA1],
      ['GPK1', 1, keyA1Gpk],
    ]);
    const record = (await auditOf(t, 'key.read')).at(-1);
    expect(record).toMatchObject({ actor_id: op.userId, auth_method: 'token', target_type: 'device', target_id: devA1, result: 'allowed' });
    expect(JSON.parse(record?.details ?? '{}')).toEqual({ keys: 'DEK v2, GPK1 v1', count: 2 });
    expect(record?.details).not.toContain(keyA1);
    const links = await t.container.db.kysely.selectFrom('audit_devices').select('device_id').where('audit_seq', '=', record?.seq ?? -1).execute();
    expect(links).toEqual([{ device_id: devA1 }]);
  });

  it('works with a session too, and answers a foreign or filtered-out device 404, audited, with no key.read', async () => {
    const res = await get(t, dealer, `/api/devices/${devA2}/keys`);
    expect(res.statusCode).toBe(200);
    const reads = (await auditOf(t, 'key.read')).length;
    expect(refusal(await get(t, dealer, `/api/devices/${devB}/keys`))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await lastDeny()).toMatchObject({ actor_id: dealer.userId, target_type: 'device', target_id: devB });

    const filtered = await createToken(op, { name: 'Nur B', kind: 'concentrator', deviceFilter: { customerNo: '4712' } });
    expect(refusal(await bearer(filtered.token, 'GET', `/api/devices/${devA1}/keys`))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await lastDeny()).toMatchObject({ actor_id: op.userId, auth_method: 'token', target_type: 'device', target_id: devA1 });
    expect((await auditOf(t, 'key.read')).length).toBe(reads);
    const ok = await bearer(filtered.token, 'GET', `/api/devices/${devB}/keys`);
    expect(ok.json<{ keys: Array<{ key: string }> }>().keys.map((k) => k.key)).toEqual([keyB]);
  });

  it('a user without a grant gets 404', async () => {
    expect(refusal(await get(t, user, `/api/devices/${devA1}/keys`))).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('operators', () => {
  it("list every token with its user's e-mail and revoke any; users cannot", async () => {
    const mine = await createToken(user, { name: 'Vom Betrieb widerrufen', kind: 'read' });
    const list = await get(t, op, '/api/tokens');
    expect(list.statusCode).toBe(200);
    const items = list.json<{ items: Array<{ id: string; email: string; userId: string }>; nextCursor: string | null }>().items;
    expect(items.find((i) => i.id === mine.view.id)).toMatchObject({ email: 'leser@example.com', userId: user.userId });
    expect(items.length).toBe((await tokenRows()).length);
    expect(list.body).not.toContain(mine.token.slice(5));

    expect(refusal(await get(t, user, '/api/tokens'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(refusal(await post(t, user, `/api/tokens/${mine.view.id}/revoke`, {}))).toMatchObject({ status: 404, code: 'not_found' });
    // Someone else's token is "not found" to a user.
    expect(refusal(await del(dealer, `/api/me/tokens/${mine.view.id}`))).toMatchObject({ status: 404, code: 'not_found' });
    expect((await bearer(mine.token, 'GET', '/api/devices')).statusCode).toBe(200);

    expect((await post(t, op, `/api/tokens/${mine.view.id}/revoke`, {})).statusCode).toBe(204);
    expect((await auditOf(t, 'token.revoke')).at(-1)).toMatchObject({ actor_id: op.userId, target_id: mine.view.id });
    expect((await tokenRows()).find((r) => r.id === mine.view.id)).toMatchObject({ revoked_by: op.userId });
    expect(refusal(await bearer(mine.token, 'GET', '/api/devices'))).toMatchObject({ status: 401, code: 'unauthenticated' });
    expect(refusal(await post(t, op, '/api/tokens/tok_doesnotexist/revoke', {}))).toMatchObject({ status: 404, code: 'not_found' });
  });

  it('pages the list', async () => {
    for (let i = 0; i < 50; i++) await createToken(user, { name: `Viele ${i}`, kind: 'read' });
    const first = (await get(t, op, '/api/tokens')).json<{ items: Array<{ id: string }>; nextCursor: string | null }>();
    expect(first.items.length).toBe(50);
    expect(first.nextCursor).not.toBeNull();
    const second = (await get(t, op, `/api/tokens?cursor=${first.nextCursor ?? ''}`)).json<{ items: Array<{ id: string }>; nextCursor: string | null }>();
    expect(new Set([...first.items, ...second.items].map((i) => i.id)).size).toBe((await tokenRows()).length);
    expect(second.nextCursor).toBeNull();
    expect(refusal(await get(t, op, '/api/tokens?cursor=garbage'))).toMatchObject({ status: 400, code: 'validation_failed', details: [{ field: 'cursor' }] });
  });
});
