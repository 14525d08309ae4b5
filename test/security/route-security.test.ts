import type { RouteEntry } from '../../src/core/http/fastify-types.js';
import { rolesMay, type Permission } from '../../src/core/access/permissions.js';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type SignedIn, type TestApp } from '../harness.js';

// The shared route-security suite (docs/style.md 13, SEC-27). It walks every registered route, so a
// route is covered the day it is added: no access declared → the suite fails; unauthenticated →
// 401; signed in without the permission → 404 and an access.deny audit record; a state-changing
// request without the CSRF token → 403.

let t: TestApp;
let operator: SignedIn;
let reader: SignedIn;

beforeAll(async () => {
  t = await createTestApp();
  operator = await t.signInOperator('first-operator@example.com');
  const now = t.clock.now().toISOString();
  await t.container.db.kysely
    .insertInto('users')
    .values({ id: 'usr_reader1', email: 'reader@example.com', name: null, password_hash: await hashPassword('Leser-Passwort 2026!'), is_operator: 0, status: 'active', language: 'de', created_at: now, updated_at: now })
    .execute();
  reader = await signIn(t.app, 'reader@example.com', 'Leser-Passwort 2026!');
});

afterAll(async () => t?.close());

const isApi = (r: RouteEntry) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.url !== '/api/openapi.json';
const concrete = (url: string) => url.replace(/:([A-Za-z]+)/g, (_m, name: string) => (name === 'id' ? 'mail_doesnotexist' : 'x'));
const apiRoutes = () => t.app.routeInventory.filter((r) => isApi(r) && r.method !== 'HEAD');

describe('route inventory', () => {
  it('has API routes, each declaring its access', () => {
    expect(apiRoutes().length).toBeGreaterThanOrEqual(6);
    for (const route of t.app.routeInventory) expect({ route: `${route.method} ${route.url}`, access: route.access }).toEqual({ route: `${route.method} ${route.url}`, access: expect.any(String) });
  });

  it('answers 401 unauthenticated on every non-public route without a session', async () => {
    for (const route of apiRoutes().filter((r) => r.access !== 'public')) {
      const res = await t.app.inject({ method: route.method as 'GET', url: concrete(route.url), payload: route.method === 'GET' ? undefined : {} });
      expect({ route: `${route.method} ${route.url}`, status: res.statusCode, code: res.json().error?.code }).toEqual({ route: `${route.method} ${route.url}`, status: 401, code: 'unauthenticated' });
    }
  });

  it('lets plain users reach only the routes meant for them (each narrows what it shows)', () => {
    const forUsers = apiRoutes()
      .filter((r) => r.access !== 'public' && r.access !== 'signed-in' && rolesMay(['user'], r.access as Permission))
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(forUsers).toEqual([
      'GET /api/devices',
      'GET /api/devices/:id',
      'GET /api/devices/count',
      'GET /api/me/access-requests',
      'GET /api/me/customer-accounts',
      'POST /api/me/access-requests',
      'POST /api/me/access-requests/:id/withdraw',
      'POST /api/telegram-checks',
    ]);
  });

  it('answers 404 not_found to an operator on the routes meant for users only (superuser requests)', async () => {
    const usersOnly = apiRoutes().filter((r) => r.access !== 'public' && r.access !== 'signed-in' && !rolesMay(['operator'], r.access as Permission));
    expect(usersOnly.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'GET /api/me/access-requests',
      'GET /api/me/customer-accounts',
      'POST /api/me/access-requests',
      'POST /api/me/access-requests/:id/withdraw',
    ]);
    for (const route of usersOnly) {
      const res = await t.app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
        headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken },
        payload: route.method === 'GET' ? undefined : { relation: 'dealer', customerNo: '4711' },
      });
      expect({ route: `${route.method} ${route.url}`, status: res.statusCode, code: res.json().error?.code }).toEqual({ route: `${route.method} ${route.url}`, status: 404, code: 'not_found' });
    }
    expect(await t.container.db.kysely.selectFrom('access_requests').select('id').execute()).toEqual([]);
  });

  it('answers 404 not_found to a signed-in user without the permission, and audits the denial', async () => {
    // Routes whose permission a plain user holds too (e.g. devices.read, narrowed by the device
    // scope instead) are not denials; every other guarded route must hide itself from them.
    const guarded = apiRoutes().filter((r) => r.access !== 'public' && r.access !== 'signed-in' && !rolesMay(['user'], r.access as Permission));
    expect(guarded.length).toBeGreaterThan(0);
    for (const route of guarded) {
      const before = await t.container.db.kysely.selectFrom('audit_log').select('seq').where('action', '=', 'access.deny').execute();
      const res = await t.app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
        headers: { cookie: reader.cookie, 'x-csrf-token': reader.csrfToken },
        payload: route.method === 'GET' ? undefined : {},
      });
      expect({ route: `${route.method} ${route.url}`, status: res.statusCode, code: res.json().error?.code }).toEqual({ route: `${route.method} ${route.url}`, status: 404, code: 'not_found' });
      const after = await t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'access.deny').orderBy('seq', 'desc').execute();
      expect(after.length).toBe(before.length + 1);
      expect(after[0]).toMatchObject({ actor_id: 'usr_reader1', result: 'denied', target_id: `${route.method} ${route.url}` });
    }
  });

  it('refuses a state-changing request on a session without the CSRF token (403 csrf_failed)', async () => {
    const changing = apiRoutes().filter((r) => r.access !== 'public' && !['GET', 'HEAD', 'OPTIONS'].includes(r.method));
    expect(changing.length).toBeGreaterThan(0);
    for (const route of changing) {
      for (const token of [undefined, 'forged-token']) {
        const res = await t.app.inject({
          method: route.method as 'POST',
          url: concrete(route.url),
          headers: { cookie: operator.cookie, ...(token ? { 'x-csrf-token': token } : {}) },
          payload: {},
        });
        expect({ route: `${route.method} ${route.url}`, status: res.statusCode, code: res.json().error?.code }).toEqual({ route: `${route.method} ${route.url}`, status: 403, code: 'csrf_failed' });
      }
    }
  });

  it('sends the security headers on API answers, pages and errors', async () => {
    for (const url of ['/api/session', '/healthz', '/api/nope', '/']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: operator.cookie } });
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['content-security-policy']).not.toContain('unsafe-inline');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-request-id']).toMatch(/^req_/);
      if (url.startsWith('/api')) expect(res.headers['cache-control']).toBe('no-store');
    }
  });
});
