import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textProblemOf } from '../../src/shared/text/text-rule.js';
import { createTestApp, type SignedIn, type TestApp } from '../harness.js';
import { signInNewUser } from '../support/accounts.js';
import { operationsOf, wrongBody, wrongPath, wrongQuery, type Operation } from '../support/openapi-fuzz.js';
import { errorLines } from '../support/raw-http.js';
import { createWebRoot } from '../support/web-root.js';

// The route-security suite, continued (test/security/route-security.test.ts, issue 11, SEC-26,
// SEC-34): every operation of the OpenAPI document the app serves is called with wrong input —
// wrong-typed query values, path parameters and bodies from a property-based generator
// (test/support/openapi-fuzz.ts) — anonymously and signed in, and must never answer 5xx or log at
// error level; a 400 is always validation_failed; no answer holds a lone surrogate or a bidi
// control. And every API answer, whatever spelling of the path, carries Cache-Control: no-store.

let t: TestApp;
let web: Awaited<ReturnType<typeof createWebRoot>>;
let operator: SignedIn;
let operations: Operation[];

beforeAll(async () => {
  web = await createWebRoot();
  t = await createTestApp({ app: { webRoot: web.path } });
  operator = await t.signInOperator('fuzz-operator@example.com');
  operations = operationsOf(t.app.swagger());
});

afterAll(async () => {
  await t?.close();
  await web?.remove();
});

const key = (op: Operation) => `${op.method} ${op.path}`;

/**
 * Operations that end, re-stage or re-key the caller's own session, or count a wrong password
 * towards its lock: the operator's session must survive the whole run, so these are fuzzed with a
 * throwaway plain user's session instead (made anew whenever one is gone), and anonymously.
 */
const ownCredentials = new Set([
  'DELETE /api/session',
  'POST /api/session',
  'POST /api/session/mfa',
  'PUT /api/me/password',
  'POST /api/me/mfa/totp',
  'DELETE /api/me/mfa/totp',
  'POST /api/me/mfa/totp/confirm',
]);

/** Operations whose body sets a password: the policy may refuse a well-typed one (password_rejected). */
const settingPassword = (op: Operation) => ['password', 'newPassword'].some((name) => op.body?.properties[name] !== undefined);

let throwaway: SignedIn | undefined;
let throwaways = 0;
async function throwawaySession(): Promise<SignedIn> {
  if (throwaway) {
    const res = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: throwaway.cookie } });
    if (res.statusCode === 200 && res.json<{ stage: string }>().stage === 'complete') return throwaway;
  }
  throwaway = await signInNewUser(t, `fuzz-user-${++throwaways}@example.com`);
  return throwaway;
}

interface Call {
  op: Operation;
  url: string;
  body: string | undefined;
  as: 'anonymous' | 'operator' | 'user';
}

/** The problem with an answer, or undefined. */
async function callAndJudge(call: Call): Promise<string | undefined> {
  const session = call.as === 'operator' ? operator : call.as === 'user' ? await throwawaySession() : undefined;
  const res = await t.app.inject({
    method: call.op.method as 'GET',
    url: call.url,
    // From an address of its own: failed sign-ins the fuzzer makes must not throttle the address
    // the throwaway users sign in from.
    remoteAddress: '192.0.2.1',
    headers: { ...(session ? { cookie: session.cookie, 'x-csrf-token': session.csrfToken } : {}), ...(call.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(call.body === undefined ? {} : { payload: call.body }),
  });
  const what = `${call.as} ${call.op.method} ${call.url.slice(0, 200)} ${call.body?.slice(0, 200) ?? ''} → ${res.statusCode} ${res.body.slice(0, 300)}`;
  if (res.statusCode >= 500) return what;
  if (call.op.path.startsWith('/api/') && res.headers['cache-control'] !== 'no-store') return `no Cache-Control: no-store: ${what}`;
  if (textProblemOf(res.body)) return `the answer holds ${textProblemOf(res.body)}: ${what}`;
  if (res.statusCode === 400) {
    const code = res.json<{ error?: { code?: string; details?: { field?: unknown }[] } }>().error?.code;
    const allowed = settingPassword(call.op) ? ['validation_failed', 'password_rejected'] : ['validation_failed'];
    if (!allowed.includes(code ?? '')) return `400 with ${String(code)}: ${what}`;
  }
  return undefined;
}

function callsFor(op: Operation, as: Call['as']): fc.Arbitrary<Call> {
  const takesBody = op.body !== undefined || !['GET', 'HEAD', 'DELETE'].includes(op.method);
  return fc.record({
    path: wrongPath(op),
    query: fc.oneof(fc.constant(''), wrongQuery(op.queryParams)),
    body: takesBody ? wrongBody(op) : fc.constant(undefined),
  }).map(({ path, query, body }) => ({ op, url: path + query, body, as }));
}

/** The whole run's time, per database; each operation gets its share. */
const BUDGET_MS = 20_000;

describe('wrong input to every operation of the OpenAPI document', () => {
  it('covers the document, which lists the API', () => {
    expect(operations.length).toBeGreaterThanOrEqual(40);
    expect(operations.map(key)).toEqual(expect.arrayContaining(['GET /api/devices', 'POST /api/customers', 'PATCH /api/me', 'POST /api/me/access-requests', ...ownCredentials]));
  });

  it('never answers 5xx, nor logs at error level, and answers 400 only as validation_failed', { timeout: 180_000 }, async () => {
    const before = t.logs().length;
    const failures: string[] = [];
    const starved: string[] = [];
    const deadline = Date.now() + BUDGET_MS;
    for (const [index, op] of operations.entries()) {
      for (const as of ['anonymous', ownCredentials.has(key(op)) ? 'user' : 'operator'] as const) {
        if (as === 'user') await throwawaySession(); // made before the clock runs: hashing a password is slow
        // What is left of the budget, shared among the checks still to come; never so little that
        // a slow machine gets no run at all.
        const slice = Math.max((deadline - Date.now()) / ((operations.length - index) * 2), 500);
        const result = await fc.check(
          fc.asyncProperty(callsFor(op, as), async (call) => {
            const problem = await callAndJudge(call);
            if (problem) throw new Error(problem);
          }),
          { numRuns: as === 'anonymous' ? 10 : 30, interruptAfterTimeLimit: slice, markInterruptAsFailure: false, endOnFailure: true },
        );
        // An interrupted run is no failure; a counterexample is.
        if (result.failed && result.counterexample !== null) {
          failures.push(`${key(op)} as ${as} (seed ${result.seed}): ${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)}`);
        }
        if (result.numRuns === 0) starved.push(`${key(op)} as ${as}`);
      }
      // The operator's session must have survived, or every later answer would be a plain 401.
      const session = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: operator.cookie } });
      if (session.statusCode !== 200) failures.push(`${key(op)} ended the operator's session`);
    }
    expect(failures).toEqual([]);
    expect(starved).toEqual([]);
    expect(errorLines(t.logs().slice(before))).toEqual([]);
  });
});

describe('Cache-Control on every API answer', () => {
  /** The path as written, with a plausible id for each parameter. */
  const concrete = (op: Operation) => op.pathParams.reduce((path, name) => path.replace(`{${name}}`, 'x'), op.path);
  /** The same path with its first segment's letters percent-encoded: `/%61%70%69/me`. */
  const encoded = (path: string) => path.replace(/^\/api\//, `/${[...'api'].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}/`);

  it('carries no-store on every operation, plain and percent-encoded, anonymous and signed in, also on errors', { timeout: 60_000 }, async () => {
    const missing: string[] = [];
    const statuses = new Set<number>();
    for (const op of operations.filter((o) => o.path.startsWith('/api/'))) {
      for (const url of [concrete(op), encoded(concrete(op)), `/%61pi${concrete(op).slice(4)}`, `/api/.${concrete(op).slice(4)}`]) {
        // Signed in, state-changing operations go without the CSRF token (403): the operator's
        // session must not be signed out or its password changed by this walk.
        for (const session of [undefined, operator]) {
          const res = await t.app.inject({
            method: op.method as 'GET',
            url,
            headers: session ? { cookie: session.cookie } : {},
            ...(op.method === 'GET' ? {} : { payload: {} }),
          });
          statuses.add(res.statusCode);
          if (res.headers['cache-control'] !== 'no-store') missing.push(`${op.method} ${url} (${session ? 'operator' : 'anonymous'}) → ${res.statusCode} ${String(res.headers['cache-control'])}`);
        }
      }
    }
    expect(missing).toEqual([]);
    // The walk saw answers and refusals alike.
    expect([...statuses]).toEqual(expect.arrayContaining([200, 400, 401, 403, 404]));
  });

  it('carries no-store on the exact requests of the probe report, which answered data without it', async () => {
    for (const url of ['/%61pi/mail/outbox', '/%61pi/me', '/%61pi/vault', '/%2561pi/me', '/API/me', '//api//me', '/assets/../api/me']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: operator.cookie } });
      expect({ url, cacheControl: res.headers['cache-control'] }).toEqual({ url, cacheControl: 'no-store' });
    }
    const me = await t.app.inject({ method: 'GET', url: '/%61pi/me', headers: { cookie: operator.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ email: 'fuzz-operator@example.com' });
  });

  it('carries no-store and the other security headers on an API URL the router cannot decode', async () => {
    for (const url of ['/api/sessions/%ED%A0%80', '/%61pi/me/%', '/api/mail/outbox/%E0%A4%A']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { cookie: operator.cookie } });
      expect({ url, status: res.statusCode, code: res.json().error?.code }).toEqual({ url, status: 400, code: 'validation_failed' });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('leaves the web shell its own caching', async () => {
    const shell = await t.app.inject({ method: 'GET', url: '/sign-in' });
    expect([shell.statusCode, shell.headers['cache-control']]).toEqual([200, 'no-cache']);
    const asset = await t.app.inject({ method: 'GET', url: '/assets/index-Ab12Cd34.js' });
    expect([asset.statusCode, asset.headers['cache-control']]).toEqual([200, 'public, max-age=31536000, immutable']);
  });
});
