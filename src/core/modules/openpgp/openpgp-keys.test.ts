import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, signInNewUser } from '../../../../test/support/accounts.js';
import { type GpgHome, type GpgKeys, gpgHome, gpgKeys } from '../../../../test/exports/gpg-keys.js';

// GET/PUT/DELETE /api/me/openpgp-key (docs/downloads.md "OpenPGP"), on the database the run is for
// (SQLite, or PostgreSQL with OPENEKS_TEST_DATABASE_URL): keys made by Debian's gpg, each change
// audited, refusals naming the field and storing nothing.

let g: GpgHome;
let keys: GpgKeys;
beforeAll(async () => {
  g = await gpgHome();
  keys = await gpgKeys(g);
}, 60_000);
afterAll(async () => g.remove());

let t: TestApp;
let user: SignedIn;
beforeEach(async () => {
  t = await createTestApp();
  user = await signInNewUser(t, 'leser@example.com');
});
afterEach(async () => t.close());

const as = (s: SignedIn) => ({ cookie: s.cookie, 'x-csrf-token': s.csrfToken });

describe('/api/me/openpgp-key', () => {
  it('registers a public key, shows its fingerprint, replaces and removes it, each audited', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/api/me/openpgp-key', headers: as(user) })).json()).toEqual({ key: null });

    const put = await t.app.inject({ method: 'PUT', url: '/api/me/openpgp-key', headers: as(user), payload: { armored: keys.publicKey } });
    expect(put.statusCode).toBe(200);
    const view = put.json<{ fingerprint: string; algorithm: string; createdAt: string }>();
    expect(view).toEqual({ fingerprint: keys.fingerprint, algorithm: expect.any(String) as string, createdAt: t.clock.now().toISOString() });
    expect((await t.app.inject({ method: 'GET', url: '/api/me/openpgp-key', headers: as(user) })).json()).toEqual({ key: view });
    expect(await t.container.openPgpKeys.armoredOf(user.userId)).toBe(keys.publicKey.trim());

    const again = await t.app.inject({ method: 'PUT', url: '/api/me/openpgp-key', headers: as(user), payload: { armored: keys.publicKey } });
    expect(again.statusCode).toBe(200);
    const sets = await auditOf(t, 'openpgp_key.set');
    expect(sets).toHaveLength(2);
    expect(sets.map((r) => [r.actor_id, r.target_type, r.target_id, r.result])).toEqual([
      [user.userId, 'user', user.userId, 'allowed'],
      [user.userId, 'user', user.userId, 'allowed'],
    ]);
    expect(JSON.parse(sets[0]?.details ?? '{}')).toEqual({ fingerprint: keys.fingerprint, algorithm: view.algorithm, replaced: null });
    expect(JSON.parse(sets[1]?.details ?? '{}')).toMatchObject({ replaced: keys.fingerprint });
    expect(sets.some((r) => (r.details ?? '').includes('BEGIN PGP'))).toBe(false);

    const del = await t.app.inject({ method: 'DELETE', url: '/api/me/openpgp-key', headers: as(user) });
    expect(del.statusCode).toBe(204);
    expect(await t.container.openPgpKeys.armoredOf(user.userId)).toBeNull();
    expect(await t.container.db.kysely.selectFrom('openpgp_keys').selectAll().execute()).toEqual([]);
    const removes = await auditOf(t, 'openpgp_key.remove');
    expect(removes.map((r) => [r.actor_id, r.target_id, JSON.parse(r.details ?? '{}')])).toEqual([[user.userId, user.userId, { fingerprint: keys.fingerprint }]]);
    expect((await t.app.inject({ method: 'DELETE', url: '/api/me/openpgp-key', headers: as(user) })).statusCode).toBe(404);
  });

  it('refuses a private key, garbage and a signing-only key naming `armored`, storing and auditing nothing', async () => {
    for (const [armored, reason] of [
      [keys.privateKey, 'is a private key'],
      ['hello', 'is not an armored OpenPGP public key'],
      [keys.signingOnly, 'has no encryption key'],
    ] as const) {
      const res = await t.app.inject({ method: 'PUT', url: '/api/me/openpgp-key', headers: as(user), payload: { armored } });
      expect(res.statusCode).toBe(422);
      const body = res.json<{ error: { code: string; message: string; details: unknown } }>();
      expect(body.error.code).toBe('openpgp_key_invalid');
      expect(body.error.details).toEqual([{ field: 'armored', reason }]);
      expect(res.body).not.toContain(armored.length > 80 ? armored.slice(40, 80) : armored);
    }
    expect(await t.container.db.kysely.selectFrom('openpgp_keys').selectAll().execute()).toEqual([]);
    expect(await auditOf(t, 'openpgp_key.set')).toEqual([]);
  });

  it('keeps each user to his own key, and needs a session (and its CSRF token)', async () => {
    const other = await signInNewUser(t, 'andere@example.com');
    expect((await t.app.inject({ method: 'PUT', url: '/api/me/openpgp-key', headers: as(user), payload: { armored: keys.publicKey } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/me/openpgp-key', headers: as(other) })).json()).toEqual({ key: null });
    expect((await t.app.inject({ method: 'DELETE', url: '/api/me/openpgp-key', headers: as(other) })).statusCode).toBe(404);
    expect(await t.container.openPgpKeys.armoredOf(user.userId)).not.toBeNull();
    expect((await t.app.inject({ method: 'GET', url: '/api/me/openpgp-key' })).statusCode).toBe(401);
    const noCsrf = await t.app.inject({ method: 'PUT', url: '/api/me/openpgp-key', headers: { cookie: user.cookie }, payload: { armored: keys.publicKey } });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json<{ error: { code: string } }>().error.code).toBe('csrf_failed');
  });
});
