import { randomBytes } from 'node:crypto';
import type { RouteEntry } from '../../src/core/http/fastify-types.js';
import { rolesMay, type Permission } from '../../src/core/access/permissions.js';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, signIn, type SignedIn, type TestApp } from '../harness.js';
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
      'DELETE /api/me/tokens/:id',
      'GET /api/audit',
      'GET /api/audit.csv',
      'GET /api/devices',
      'GET /api/devices/:id',
      'GET /api/devices/:id/keys',
      'GET /api/devices/count',
      'GET /api/exports/:id',
      'GET /api/me/access-requests',
      'GET /api/me/customer-accounts',
      'GET /api/me/tokens',
      'POST /api/exports',
      'POST /api/exports/preview',
      'POST /api/me/access-requests',
      'POST /api/me/access-requests/:id/withdraw',
      'POST /api/me/tokens',
      'POST /api/telegram-checks',
    ]);
  });

  it('answers 404 not_found to an operator on the routes meant for users only (superuser requests) or for tokens only (the key sync)', async () => {
    const usersOnly = apiRoutes().filter((r) => r.access !== 'public' && r.access !== 'signed-in' && !rolesMay(['operator'], r.access as Permission));
    expect(usersOnly.map((r) => `${r.method} ${r.url}`).sort()).toEqual([
      'GET /api/me/access-requests',
      'GET /api/me/customer-accounts',
      'GET /api/sync/keys',
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

// Issue 11, finding 1 (SEC-35): the limiter ran after the auth hook, so refusals were never
// counted — 1000 × 404 for a signed-in user without the permission, endless 401s for a random
// session cookie, 401 (not 429) for an address already limited — and each refusal wrote its own
// access.deny. Every request is now counted first, and repeated refusals fold into one record.
describe('rate limits count refused requests too', () => {
  const globalLimit = 20;
  let limited: TestApp;
  let flood: TestApp;
  let prober: SignedIn;
  let proberId: string;
  let limitedReader: SignedIn;

  const addUser = async (app: TestApp, id: string, email: string, password: string) => {
    const now = app.clock.now().toISOString();
    await app.container.db.kysely
      .insertInto('users')
      .values({ id, email, name: null, password_hash: await hashPassword(password), is_operator: 0, status: 'active', language: 'en', created_at: now, updated_at: now })
      .execute();
  };
  const auditOf = (app: TestApp, action: 'access.deny' | 'access.deny_repeated', targetId: string) =>
    app.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).where('target_id', '=', targetId).orderBy('seq').execute();
  const vaultAs = (app: TestApp, remoteAddress: string, cookie?: string) =>
    app.app.inject({ method: 'GET', url: '/api/vault', remoteAddress, ...(cookie ? { headers: { cookie } } : {}) });

  beforeAll(async () => {
    limited = await createTestApp({ app: { rateLimits: { global: globalLimit, auth: 5 } } });
    await addUser(limited, 'usr_limreader', 'limited-reader@example.com', 'Leser-Passwort 2026!');
    // Signed in from an address of its own, so the addresses below start with a clean count.
    limitedReader = await signIn(limited.app, 'limited-reader@example.com', 'Leser-Passwort 2026!', { remoteAddress: '198.51.100.99' });
    flood = await createTestApp();
    proberId = 'usr_prober01';
    await addUser(flood, proberId, 'prober@example.com', 'Prober-Passwort 2026!');
    prober = await signIn(flood.app, 'prober@example.com', 'Prober-Passwort 2026!');
  });

  afterAll(async () => {
    await limited?.close();
    await flood?.close();
  });

  it('answers 429 to a signed-in user without the permission once the limit is reached, not endless 404s', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof vaultAs>> | undefined;
    for (let i = 0; i < globalLimit + 10; i += 1) {
      last = await vaultAs(limited, '198.51.100.1', limitedReader.cookie);
      statuses.push(last.statusCode);
    }
    expect(statuses).toEqual([...Array<number>(globalLimit).fill(404), ...Array<number>(10).fill(429)]);
    expect(last?.json().error).toMatchObject({ code: 'rate_limited', requestId: last?.headers['x-request-id'] });
    expect(Number(last?.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(last?.headers['retry-after'])).toBeLessThanOrEqual(60);
    // The refused requests that got through were audited once; the 429s did no work at all.
    const denied = await auditOf(limited, 'access.deny', 'GET /api/vault');
    expect(denied.map((row) => ({ actor: row.actor_id, ip: row.ip }))).toEqual([{ actor: 'usr_limreader', ip: '198.51.100.1' }]);
    expect(await auditOf(limited, 'access.deny_repeated', 'GET /api/vault')).toEqual([]);
  });

  it('answers 429, never 401, to an address already limited, on every route and without looking at the session', async () => {
    const before = await limited.container.db.kysely.selectFrom('audit_log').select('seq').execute();
    const requests = [
      { method: 'GET', url: '/api/customers' },
      { method: 'GET', url: '/api/session', headers: { cookie: limitedReader.cookie } },
      { method: 'GET', url: '/api/session', headers: { cookie: 'openeks_session=not-a-session' } },
      { method: 'POST', url: '/api/session', payload: { email: 'limited-reader@example.com', password: 'Leser-Passwort 2026!' } },
      { method: 'GET', url: '/api/no-such-route' },
    ] as const;
    for (const request of requests) {
      const res = await limited.app.inject({ ...request, remoteAddress: '198.51.100.1' });
      expect({ url: `${request.method} ${request.url}`, status: res.statusCode, code: res.json().error?.code, retryAfter: Number(res.headers['retry-after']) > 0 }).toEqual({
        url: `${request.method} ${request.url}`,
        status: 429,
        code: 'rate_limited',
        retryAfter: true,
      });
    }
    // No sign-in, no session, no audit record: the limiter answered before any other work.
    expect(await limited.container.db.kysely.selectFrom('audit_log').select('seq').execute()).toHaveLength(before.length);
  });

  it('answers 429 to an anonymous caller with a made-up session cookie once the limit is reached, not endless 401s', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < globalLimit + 10; i += 1) {
      const res = await vaultAs(limited, '198.51.100.2', `openeks_session=${randomBytes(24).toString('base64url')}`);
      statuses.push(res.statusCode);
      if (res.statusCode === 429) expect(res.json().error.code).toBe('rate_limited');
    }
    expect(statuses).toEqual([...Array<number>(globalLimit).fill(401), ...Array<number>(10).fill(429)]);
  });

  it('keeps serving other addresses while one is flooding and limited', async () => {
    // The same user from another address: counted per address, so the flood does not lock them out.
    // All at once: the requests within the limit are served, only those past it refused.
    const flooding = Array.from({ length: globalLimit + 40 }, () => vaultAs(limited, '198.51.100.3', limitedReader.cookie));
    const others = Array.from({ length: 10 }, () => limited.app.inject({ method: 'GET', url: '/api/session', remoteAddress: '198.51.100.4', headers: { cookie: limitedReader.cookie } }));
    const [floodAnswers, otherAnswers] = await Promise.all([Promise.all(flooding), Promise.all(others)]);
    expect(floodAnswers.map((res) => res.statusCode).sort()).toEqual([...Array<number>(globalLimit).fill(404), ...Array<number>(40).fill(429)]);
    expect(otherAnswers.map((res) => res.statusCode)).toEqual(Array<number>(10).fill(200));
    const after = await limited.app.inject({ method: 'GET', url: '/api/session', remoteAddress: '198.51.100.4', headers: { cookie: limitedReader.cookie } });
    expect(after.statusCode).toBe(200);
    expect(after.json().user.email).toBe('limited-reader@example.com');
  });

  it('counts IPv6 addresses by their /64, as the sign-in throttle does', async () => {
    for (let i = 0; i < globalLimit; i += 1) expect((await vaultAs(limited, '2001:db8:1:2::1')).statusCode).toBe(401);
    expect((await vaultAs(limited, '2001:db8:1:2:ffff:ffff:ffff:ffff')).statusCode).toBe(429);
    expect((await vaultAs(limited, '2001:db8:1:3::1')).statusCode).toBe(401);
  });

  it("keeps the routes' own, lower limits (sign-in), counted per route and address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const res = await limited.app.inject({ method: 'POST', url: '/api/session', remoteAddress: '198.51.100.5', payload: { email: 'limited-reader@example.com', password: 'wrong password' } });
      statuses.push(res.statusCode);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    // The sign-in route's own limit spent, the address may still use the others (within the global limit).
    const session = await limited.app.inject({ method: 'GET', url: '/api/session', remoteAddress: '198.51.100.5', headers: { cookie: limitedReader.cookie } });
    expect(session.statusCode).toBe(200);
  });

  it('folds 1000 refusals into one access.deny and one access.deny_repeated with the count', async () => {
    for (let batch = 0; batch < 20; batch += 1) {
      const answers = await Promise.all(Array.from({ length: 50 }, () => vaultAs(flood, '203.0.113.7', prober.cookie)));
      expect(answers.map((res) => res.statusCode)).toEqual(Array<number>(50).fill(404));
    }
    expect(await auditOf(flood, 'access.deny', 'GET /api/vault')).toHaveLength(1);
    // The repeats are counted, not yet written: the window is still open.
    await flood.container.denials.settleClosed();
    expect(await auditOf(flood, 'access.deny_repeated', 'GET /api/vault')).toEqual([]);

    // The next refusal after the window writes the count, then opens a window of its own.
    flood.clock.advance(60_000);
    expect((await vaultAs(flood, '203.0.113.8', prober.cookie)).statusCode).toBe(404);
    const denied = await auditOf(flood, 'access.deny', 'GET /api/vault');
    const repeated = await auditOf(flood, 'access.deny_repeated', 'GET /api/vault');
    expect(denied.map((row) => row.ip)).toEqual(['203.0.113.7', '203.0.113.8']);
    expect(repeated).toHaveLength(1);
    expect(repeated[0]).toMatchObject({ actor_id: proberId, result: 'denied', target_type: 'route', reason: 'missing permission vault.read', ip: '203.0.113.7' });
    const details = JSON.parse(repeated[0]?.details ?? '{}') as { count: number; first_at: string; last_at: string };
    expect(details).toEqual({ count: 999, first_at: '2026-11-28T09:00:00.000Z', last_at: '2026-11-28T09:00:00.000Z', window_seconds: 60 });
    expect(1 + details.count).toBe(1000);
    expect((repeated[0]?.seq ?? 0) < (denied[1]?.seq ?? 0)).toBe(true);
  });

  it('writes pending repeats when their window closes, and all of them at shutdown', async () => {
    for (let i = 0; i < 10; i += 1) expect((await vaultAs(flood, '203.0.113.8', prober.cookie)).statusCode).toBe(404);
    flood.clock.advance(60_000);
    await flood.container.denials.settleClosed();
    let repeated = await auditOf(flood, 'access.deny_repeated', 'GET /api/vault');
    expect(repeated.map((row) => (JSON.parse(row.details) as { count: number }).count)).toEqual([999, 10]);

    for (let i = 0; i < 3; i += 1) expect((await vaultAs(flood, '203.0.113.9', prober.cookie)).statusCode).toBe(404);
    await flood.container.denials.stop(); // what close() does before the database closes
    repeated = await auditOf(flood, 'access.deny_repeated', 'GET /api/vault');
    expect(repeated.map((row) => (JSON.parse(row.details) as { count: number }).count)).toEqual([999, 10, 2]);
    const denied = await auditOf(flood, 'access.deny', 'GET /api/vault');
    expect(denied).toHaveLength(3);
    // 1000 + 1 + 10 + 3 refusals, every one accounted for, in a chain that still verifies.
    expect(denied.length + 999 + 10 + 2).toBe(1014);
    expect(await flood.container.auditTrail.verify(asSystem)).toMatchObject({ ok: true });
  });
});
