import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, signIn, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { createActiveUser, goodPassword } from '../../../../test/support/accounts.js';
import { storeDevice } from '../../../../test/support/devices.js';
import { as, post } from '../../../../test/support/grants.js';
import { hpkeOpen } from './sync-hpke.js';

// GET /api/sync/keys over HTTP with real API tokens (docs/key-sync.md): a gateway token syncs, a
// read token and a session do not, a revoked token is refused on its next request, an encrypted
// answer opens with the token's private key, and the headers are the contract's.

let t: TestApp;
let user: SignedIn;
let deviceId: string;
const key = '00112233445566778899AABBCCDDEEFF';

type Res = { statusCode: number; headers: Record<string, unknown>; rawPayload: Buffer; body: string; json<T = unknown>(): T };
const syncWith = (token: string, since?: string): Promise<Res> =>
  t.app.inject({ method: 'GET', url: since === undefined ? '/api/sync/keys' : `/api/sync/keys?since=${since}`, headers: { authorization: `Bearer ${token}` } });

async function createToken(body: object): Promise<{ token: string; view: { id: string } }> {
  const res = await post(t, user, '/api/me/tokens', body);
  expect(res.statusCode, res.body).toBe(201);
  return res.json<{ token: string; view: { id: string } }>();
}

interface Answer {
  full: boolean;
  cursor: string;
  upserts: { deviceId: string; keys: { keyType: string; version: number; key: string }[] }[];
  removals: { deviceId: string; keyType?: string }[];
}

beforeAll(async () => {
  t = await createTestApp();
  await createActiveUser(t, { email: 'gateway@example.com' });
  user = await signIn(t.app, 'gateway@example.com', goodPassword);
  deviceId = (await storeDevice(t.container, { manufacturer: 'KAM', serial: '40000001', keys: [{ hex: key }] })).deviceId;
  await t.container.grants.assign({ ...asSystem, selection: { ids: [deviceId] }, email: 'gateway@example.com' });
});
afterAll(async () => t?.close());

describe('GET /api/sync/keys', () => {
  it('a gateway token: 200, signed, no-store, its keys; then an incremental answer; revoked: 401 on the next request', async () => {
    const { token, view } = await createToken({ name: 'Keller', kind: 'gateway' });
    const first = await syncWith(token);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(String(first.headers['openeks-signature'])).toMatch(/^ed25519=[A-Za-z0-9+/]{86}==$/);
    const answer = first.json<Answer>();
    expect(answer).toMatchObject({ full: true, upserts: [{ deviceId, keys: [{ keyType: 'DEK', version: 1, key }] }], removals: [] });

    const next = await syncWith(token, answer.cursor);
    expect(next.statusCode).toBe(200);
    expect(next.json<Answer>()).toMatchObject({ full: false, upserts: [], removals: [] });

    const revoked = await t.app.inject({ method: 'DELETE', url: `/api/me/tokens/${view.id}`, headers: as(user) });
    expect(revoked.statusCode, revoked.body).toBeLessThan(300);
    const after = await syncWith(token, next.json<Answer>().cursor);
    expect(after.statusCode).toBe(401);
    expect(after.json<{ error: { code: string } }>().error.code).toBe('unauthenticated');
  });

  it('a concentrator token with an X25519 key: the HPKE body opens with its private key', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    const { token } = await createToken({ name: 'Konzentrator', kind: 'concentrator', publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    const res = await syncWith(token);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('application/vnd.openeks.key-sync+hpke');
    const raw = Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
    const answer = JSON.parse((await hpkeOpen(raw, res.rawPayload)).toString('utf8')) as Answer;
    expect(answer.upserts).toEqual([expect.objectContaining({ deviceId, keys: [{ keyType: 'DEK', version: 1, key }] })]);
  });

  it('a read token and a session: 404 not_found; garbage since: 400 sync_cursor_invalid naming since', async () => {
    const { token } = await createToken({ name: 'Skript', kind: 'read' });
    const read = await syncWith(token);
    expect(read.statusCode).toBe(404);
    const session = await t.app.inject({ method: 'GET', url: '/api/sync/keys', headers: as(user) });
    expect(session.statusCode).toBe(404);
    const gateway = await createToken({ name: 'Dach', kind: 'gateway' });
    const bad = await syncWith(gateway.token, 'bm90LWEtY3Vyc29y');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string; details: unknown } }>().error).toMatchObject({ code: 'sync_cursor_invalid', details: [{ field: 'since' }] });
  });
});
