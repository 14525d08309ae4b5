import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, operatorPassword, signInWithTotp, type TestApp } from '../../../../test/harness.js';
import { envVar } from '../../../lib/env-vars.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

describe('sign-in and sessions', () => {
  it('signs in, shows the session, signs out on the server (the old cookie is dead)', async () => {
    const op = await t.signInOperator('op@example.com');
    const me = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: op.cookie } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ user: { id: op.userId, email: 'op@example.com', name: null, roles: ['operator'], language: 'en' }, csrfToken: op.csrfToken, stage: 'complete' });

    const out = await t.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie: op.cookie, 'x-csrf-token': op.csrfToken } });
    expect(out.statusCode).toBe(204);
    expect(await t.container.db.kysely.selectFrom('sessions').selectAll().execute()).toHaveLength(0);
    const replay = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: op.cookie } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().error.code).toBe('unauthenticated');
    const ended = await t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'session.end').execute();
    expect(ended).toHaveLength(1);
  });

  it('sets an HttpOnly SameSite=Lax cookie with a fresh 256-bit id, stored only hashed', async () => {
    await t.signInOperator('op@example.com');
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'op@example.com', password: operatorPassword } });
    const cookie = res.cookies.find((c) => c.name === 'openeks_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await t.container.db.kysely.selectFrom('sessions').select('token_hash').execute();
    expect(rows.map((r) => r.token_hash)).not.toContain(cookie?.value);
    expect(rows.every((r) => /^[0-9a-f]{64}$/.test(r.token_hash))).toBe(true);
  });

  it('uses a __Host- Secure cookie when the public URL is https', async () => {
    const secure = await createTestApp({ env: { [envVar.publicUrl]: 'https://eks.example.com' } });
    try {
      const op = await secure.signInOperator('op@example.com');
      expect(op.cookie).toMatch(/^__Host-openeks_session=/);
      const res = await secure.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'op@example.com', password: operatorPassword } });
      expect(res.cookies[0]).toMatchObject({ name: '__Host-openeks_session', secure: true, path: '/' });
      expect(res.headers['strict-transport-security']).toContain('max-age=');
    } finally {
      await secure.close();
    }
  });

  it('answers an unknown e-mail and a wrong password alike, and audits both', async () => {
    await t.signInOperator('op@example.com');
    const wrong = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'op@example.com', password: 'nope nope nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'ghost@example.com', password: 'nope nope nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    const strip = (body: string) => ({ ...JSON.parse(body).error, requestId: undefined });
    expect(strip(wrong.body)).toEqual(strip(unknown.body));
    const denials = await t.container.db.kysely.selectFrom('audit_log').select(['reason', 'result']).where('action', '=', 'session.deny').orderBy('seq').execute();
    expect(denials).toEqual([
      { reason: 'wrong password', result: 'denied' },
      { reason: 'unknown e-mail', result: 'denied' },
    ]);
    expect(t.logs()).not.toContain('nope nope nope');
  });

  it('ends a session after 30 idle minutes and after 12 hours however active', async () => {
    const op = await t.signInOperator('op@example.com');
    t.clock.advance(29 * 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: op.cookie } })).statusCode).toBe(200);
    t.clock.advance(29 * 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: op.cookie } })).statusCode).toBe(200);
    t.clock.advance(30 * 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: op.cookie } })).statusCode).toBe(401);

    t.clock.advance(30_000); // a new TOTP time step: the enrolment's code was used
    const { cookie } = await signInWithTotp(t.app, 'op@example.com', operatorPassword, op.totpSecret, t.clock);
    // Active every 20 minutes for 12 hours: never idle, still ended at the absolute limit.
    for (let step = 1; step < 36; step += 1) {
      t.clock.advance(20 * 60_000);
      expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).statusCode).toBe(200);
    }
    t.clock.advance(20 * 60_000);
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } })).statusCode).toBe(401);
  });

  it('refuses a disabled account at once, on the very next request', async () => {
    const op = await t.signInOperator('op@example.com');
    await t.container.db.kysely.updateTable('users').set({ status: 'disabled' }).where('id', '=', op.userId).execute();
    expect((await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: op.cookie } })).statusCode).toBe(401);
    const again = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'op@example.com', password: operatorPassword } });
    expect(again.json().error.code).toBe('invalid_credentials');
  });
});
