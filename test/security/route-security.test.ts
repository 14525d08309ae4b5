import type { RouteEntry } from '../../src/core/http/fastify-types.js';
import { rolesMay, type Permission } from '../../src/core/access/permissions.js';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type SignedIn, type TestApp } from '../harness.js';
import { errorLines, rawRequest } from '../support/raw-http.js';
import { createWebRoot } from '../support/web-root.js';

// The shared route-security suite (docs/style.md 13, SEC-27). It walks every registered route, so a
// route is covered the day it is added: no access declared → the suite fails; unauthenticated →
// 401; signed in without the permission → 404 and an access.deny audit record; a state-changing
// request without the CSRF token → 403. It continues in route-fuzzing.test.ts (wrong input to
// every operation of the OpenAPI document; Cache-Control on every API answer) and
// input-findings.test.ts (the probe's input findings as plain requests).

let t: TestApp;
let web: Awaited<ReturnType<typeof createWebRoot>>;
let operator: SignedIn;
let reader: SignedIn;

beforeAll(async () => {
  // A web shell of our own, so the walk below covers its files whether or not the UI was built.
  web = await createWebRoot();
  t = await createTestApp({ app: { webRoot: web.path } });
  operator = await t.signInOperator('first-operator@example.com');
  const now = t.clock.now().toISOString();
  await t.container.db.kysely
    .insertInto('users')
    .values({ id: 'usr_reader1', email: 'reader@example.com', name: null, password_hash: await hashPassword('Leser-Passwort 2026!'), is_operator: 0, status: 'active', language: 'de', created_at: now, updated_at: now })
    .execute();
  reader = await signIn(t.app, 'reader@example.com', 'Leser-Passwort 2026!');
});

afterAll(async () => {
  await t?.close();
  await web?.remove();
});

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

// Issue 11, item 5: libraries under the static files raised errors with a 4xx status that became
// 500s logged at error level. Every public route that is not the API (the web shell's files and
// pages, the API docs) is walked with odd methods, headers and paths, signed in as nobody.
describe('requests nobody signed in for, to the files and pages', () => {
  const oddHeaders: Record<string, string>[] = [
    {},
    { range: 'bytes=999999999-' },
    { range: 'bytes=-0' },
    { range: 'bytes=5-1' },
    { range: 'bytes=0-0,1-1,2-2' },
    { range: 'items=0-1' },
    { range: 'bytes=abc' },
    { range: 'bytes=0-1', 'if-range': '"nope"' },
    { 'if-match': '"nope"' },
    { 'if-match': '*' },
    { 'if-none-match': '*' },
    { 'if-none-match': 'W/"x", "y"' },
    { 'if-unmodified-since': 'Mon, 01 Jan 1990 00:00:00 GMT' },
    { 'if-modified-since': 'not a date' },
    { 'accept-encoding': 'br;q=0, gzip;q=0, identity;q=0' },
    { 'accept-encoding': 'x-unknown, *;q=0' },
  ];
  const methods = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
  const fileRoutes = () => [
    ...new Set(
      t.app.routeInventory
        .filter((r) => !isApi(r) && r.method === 'GET')
        .map((r) => r.url.replace('*', 'index.css')),
    ),
    '/',
    '/eks',
    '/sign-in',
    '/no-such-page',
    '/no-such-file.js',
  ];

  it('answers below 500 and logs nothing at error level, whatever the method and headers', async () => {
    const urls = fileRoutes();
    expect(urls).toEqual(expect.arrayContaining(['/api/docs/static/index.css', '/favicon.svg', '/assets/index-Ab12Cd34.js']));
    const before = t.logs().length;
    const failures: string[] = [];
    for (const url of urls) {
      for (const method of methods) {
        const res = await t.app.inject({ method, url });
        if (res.statusCode >= 500) failures.push(`${method} ${url} → ${res.statusCode}`);
      }
      for (const headers of oddHeaders) {
        for (const method of ['GET', 'HEAD'] as const) {
          const res = await t.app.inject({ method, url, headers });
          if (res.statusCode >= 500) failures.push(`${method} ${url} ${JSON.stringify(headers)} → ${res.statusCode}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(errorLines(t.logs().slice(before))).toEqual([]);
  });

  it('answers HEAD like GET on every file, page and docs route, without a body', async () => {
    const differs: string[] = [];
    for (const url of fileRoutes()) {
      const get = await t.app.inject({ method: 'GET', url });
      const head = await t.app.inject({ method: 'HEAD', url });
      if (head.statusCode !== get.statusCode || head.body !== '' || head.headers['content-type'] !== get.headers['content-type']) {
        differs.push(`${url}: GET ${get.statusCode} ${String(get.headers['content-type'])}, HEAD ${head.statusCode} ${String(head.headers['content-type'])} (${head.body.length} bytes)`);
      }
    }
    expect(differs).toEqual([]);
  });

  it('answers odd and encoded paths below 500, never with a file from outside, and logs nothing at error level', async () => {
    const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const tails = [
      '%2e%2e/%2e%2e/package.json',
      '../../package.json',
      '..%2f..%2fpackage.json',
      '%2e%2e%5c%2e%2e%5cpackage.json',
      '....//....//package.json',
      '.%2e/.%2e/package.json',
      '%252e%252e/%252e%252e/package.json',
      '%c0%ae%c0%ae/%c0%ae%c0%ae/package.json',
      '%00',
      'index.css%00',
      '%E0%A4%A',
      '%',
      '.env',
      '.git/config',
      'index.css/',
      '~',
      `${'a'.repeat(300)}.js`,
    ];
    const before = t.logs().length;
    const failures: string[] = [];
    for (const prefix of ['/api/docs/static/', '/api/docs/', '/assets/', '/']) {
      for (const tail of tails) {
        for (const method of ['GET', 'HEAD']) {
          const res = await rawRequest(address, method, prefix + tail);
          if (res.status >= 500 || res.body.includes('"name": "openeks"')) failures.push(`${method} ${prefix}${tail} → ${res.status}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(errorLines(t.logs().slice(before))).toEqual([]);
  });
});
