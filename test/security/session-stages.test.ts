import type { RouteEntry } from '../../src/core/http/fastify-types.js';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, enrolTotp, operatorPassword, signIn, asSystem, type SignedIn, type TestApp } from '../harness.js';

// Unfinished sessions, walked over every registered route like the route-security suite: a
// session that still owes its second factor is not signed in (401 unauthenticated) and one that
// must first enrol may only enrol (403 mfa_enrolment_required), except on the few routes that
// admit their stage. A new route is covered the day it is added.

let t: TestApp;
let secondFactorDue: SignedIn;
let enrolmentDue: SignedIn;

beforeAll(async () => {
  t = await createTestApp();
  const now = t.clock.now().toISOString();
  await t.container.db.kysely
    .insertInto('users')
    .values({ id: 'usr_reader1', email: 'reader@example.com', name: null, password_hash: await hashPassword('Leser-Passwort 2026!'), is_operator: 0, status: 'active', language: 'de', created_at: now, updated_at: now })
    .execute();
  await enrolTotp(t.app, await signIn(t.app, 'reader@example.com', 'Leser-Passwort 2026!'), t.clock);
  secondFactorDue = await signIn(t.app, 'reader@example.com', 'Leser-Passwort 2026!');

  const { link } = await t.container.operatorSetup.createOperator({ email: 'new-operator@example.com', ...asSystem });
  await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token: new URL(link).hash.replace('#token=', ''), password: operatorPassword } });
  enrolmentDue = await signIn(t.app, 'new-operator@example.com', operatorPassword);
});

afterAll(async () => t?.close());

const isApi = (r: RouteEntry) => r.url.startsWith('/api/') && !r.url.startsWith('/api/docs') && r.url !== '/api/openapi.json';
const concrete = (url: string) => url.replace(/:([A-Za-z]+)/g, 'x_doesnotexist');
const guarded = () => t.app.routeInventory.filter((r) => isApi(r) && r.method !== 'HEAD' && r.access !== 'public');
const name = (r: RouteEntry) => `${r.method} ${r.url}`;

describe('unfinished sessions', () => {
  it('are in the stages the tests mean', () => {
    expect(secondFactorDue.stage).toBe('mfa');
    expect(enrolmentDue.stage).toBe('enrol');
  });

  it('reach only the routes that admit their stage, and those are few', () => {
    const admitting = (stage: 'mfa' | 'enrol') => guarded().filter((r) => r.allowStages?.includes(stage)).map(name).sort();
    expect(admitting('mfa')).toEqual(['DELETE /api/session', 'GET /api/session', 'POST /api/session/mfa']);
    expect(admitting('enrol')).toEqual(['DELETE /api/session', 'GET /api/me/mfa', 'GET /api/session', 'POST /api/me/mfa/totp', 'POST /api/me/mfa/totp/confirm']);
    for (const route of guarded().filter((r) => r.allowStages !== undefined)) expect({ route: name(route), access: route.access }).toEqual({ route: name(route), access: 'signed-in' });
  });

  for (const [stage, expected] of [
    ['mfa', { status: 401, code: 'unauthenticated' }],
    ['enrol', { status: 403, code: 'mfa_enrolment_required' }],
  ] as const) {
    it(`answers ${expected.status} ${expected.code} to a session in stage ${stage} everywhere else`, async () => {
      const session = stage === 'mfa' ? secondFactorDue : enrolmentDue;
      const refused = guarded().filter((r) => !r.allowStages?.includes(stage));
      expect(refused.length).toBeGreaterThan(3);
      for (const route of refused) {
        const res = await t.app.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers: { cookie: session.cookie, 'x-csrf-token': session.csrfToken },
          payload: route.method === 'GET' ? undefined : {},
        });
        expect({ route: name(route), status: res.statusCode, code: res.json().error?.code }).toEqual({ route: name(route), ...expected });
      }
      // The session itself is untouched by the refusals.
      expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: session.cookie } })).json().stage).toBe(stage);
    });
  }
});
