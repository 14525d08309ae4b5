import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, asSystem, type TestApp } from '../../../../test/harness.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const url = '/api/settings/password-policy';
const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');

describe('GET /api/settings/password-policy', () => {
  it("is public and answers the guide's profile until an operator changes it", async () => {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ profile: 'guide' });
  });

  it("falls back to the guide's profile for a value this build does not know", async () => {
    await t.container.db.kysely.insertInto('settings').values({ name: 'password-profile', value: 'future', updated_at: t.clock.now().toISOString() }).execute();
    expect((await t.app.inject({ method: 'GET', url })).json()).toEqual({ profile: 'guide' });
  });
});

describe('PUT /api/settings/password-policy', () => {
  it('switches the profile, stores it and audits the change in the same transaction', async () => {
    const operator = await t.signInOperator('ops@example.com');
    const res = await t.app.inject({ method: 'PUT', url, headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken }, payload: { profile: 'nist' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ profile: 'nist' });

    const row = await t.container.db.kysely.selectFrom('settings').selectAll().where('name', '=', 'password-profile').executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'password-profile', value: 'nist', updated_at: t.clock.now().toISOString() });
    expect((await t.app.inject({ method: 'GET', url })).json()).toEqual({ profile: 'nist' });

    const audit = await t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'settings.update').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: operator.userId, actor_role: 'operator', target_type: 'setting', target_id: 'password-profile', result: 'allowed' });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({ from: 'guide', to: 'nist' });

    const back = await t.app.inject({ method: 'PUT', url, headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken }, payload: { profile: 'guide' } });
    expect(back.json()).toEqual({ profile: 'guide' });
    const second = await t.container.db.kysely.selectFrom('audit_log').select('details').where('action', '=', 'settings.update').orderBy('seq', 'desc').executeTakeFirstOrThrow();
    expect(JSON.parse(second.details)).toEqual({ from: 'nist', to: 'guide' });
  });

  it.each([[{ profile: 'lenient' }], [{}], [{ profile: 'nist', minLength: 4 }]])('refuses the body %j with validation_failed and changes nothing', async (payload) => {
    const operator = await t.signInOperator('ops@example.com');
    const res = await t.app.inject({ method: 'PUT', url, headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken }, payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('validation_failed');
    expect(await t.container.db.kysely.selectFrom('settings').selectAll().execute()).toEqual([]);
    expect(await t.container.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'settings.update').execute()).toEqual([]);
  });
});

describe('the profile decides what the server accepts', () => {
  it('operator setup follows the configured profile and names the failed rules by id', async () => {
    await t.container.settings.setPasswordProfile({ profile: 'nist', ...asSystem });
    const setup = await t.container.operatorSetup.createOperator({ email: 'lena.berger@example.com', ...asSystem });
    const token = tokenOf(setup.link);
    const post = (password: string, name?: string) => t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token, password, ...(name ? { name } : {}) } });

    // 14 characters, no second factor yet: too short under NIST; composition is not asked for.
    const short = await post('zählerkistenab');
    expect(short.statusCode).toBe(400);
    expect(short.json().error).toMatchObject({ code: 'password_rejected', details: [{ field: 'password', reason: 'min-length' }] });

    const named = await post('lenas lange zählerkiste', 'Lena Berger');
    expect(named.json().error.details).toEqual([
      { field: 'password', reason: 'not-name' },
      { field: 'password', reason: 'not-email' },
    ]);

    expect((await post('ganz kleine lange zählerkiste')).statusCode).toBe(204);
  });

  it("the guide's profile refuses a blocklisted password that meets its composition rules", async () => {
    const setup = await t.container.operatorSetup.createOperator({ email: 'ops@example.com', ...asSystem });
    const res = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token: tokenOf(setup.link), password: 'Passw0rd!' } });
    expect(res.json().error).toMatchObject({ code: 'password_rejected', details: [{ field: 'password', reason: 'not-common' }] });
  });
});
