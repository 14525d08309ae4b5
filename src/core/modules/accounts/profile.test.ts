import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword, otherGoodPassword, outboxMail } from '../../../../test/support/accounts.js';

let t: TestApp;
afterEach(async () => t?.close());

const as = (who: SignedIn) => ({ cookie: who.cookie, 'x-csrf-token': who.csrfToken });

async function setup() {
  t = await createTestApp();
  const id = await createActiveUser(t, { email: 'profil@example.com', name: 'Paula Profil', language: 'de' });
  const me = await signIn(t.app, 'profil@example.com', goodPassword);
  return { id, me };
}

describe('profile', () => {
  it('GET /api/me returns the signed-in user', async () => {
    const { id, me } = await setup();
    const res = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: me.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id, email: 'profil@example.com', name: 'Paula Profil', language: 'de', roles: ['user'] });
  });

  it('PATCH /api/me changes name and language, audited as user.update', async () => {
    const { id, me } = await setup();
    const res = await t.app.inject({ method: 'PATCH', url: '/api/me', headers: as(me), payload: { name: ' Paula Neu ', language: 'en' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ name: 'Paula Neu', language: 'en' });
    const row = await t.container.db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Paula Neu', language: 'en' });
    const [audit] = await auditOf(t, 'user.update');
    expect(audit).toMatchObject({ actor_id: id, target_id: id, result: 'allowed', details: JSON.stringify({ name: true, language: 'en' }) });
    // The name is not in the trail.
    expect(JSON.stringify(audit)).not.toContain('Paula');

    const cleared = await t.app.inject({ method: 'PATCH', url: '/api/me', headers: as(me), payload: { name: null } });
    expect(cleared.json()).toMatchObject({ name: null, language: 'en' });
    const blank = await t.app.inject({ method: 'PATCH', url: '/api/me', headers: as(me), payload: { name: '   ' } });
    expect(blank.json()).toMatchObject({ name: null });
  });

  it.each([
    ['a control character in the name', { name: 'Paula\u0007' }, 'name'],
    ['a line break in the name', { name: 'Paula\r\nBcc: x' }, 'name'],
    ['a name over 200 characters', { name: 'P'.repeat(201) }, 'name'],
    ['an unknown language', { language: 'fr' }, 'language'],
    ['an unknown field', { email: 'other@example.com' }, 'email'],
    ['nothing to change', {}, 'body'],
  ])('PATCH /api/me refuses %s and changes nothing', async (_what, payload, field) => {
    const { id, me } = await setup();
    const res = await t.app.inject({ method: 'PATCH', url: '/api/me', headers: as(me), payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: expect.arrayContaining([expect.objectContaining({ field })]) });
    const row = await t.container.db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ name: 'Paula Profil', language: 'de', email: 'profil@example.com' });
    expect(await auditOf(t, 'user.update')).toEqual([]);
  });
});

describe('password change', () => {
  it('needs the current password: a wrong one is 401 invalid_credentials and audited', async () => {
    const { id, me } = await setup();
    const res = await t.app.inject({ method: 'PUT', url: '/api/me/password', headers: as(me), payload: { currentPassword: 'wrong', newPassword: otherGoodPassword } });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('invalid_credentials');
    const [audit] = await auditOf(t, 'password.change');
    expect(audit).toMatchObject({ actor_id: id, result: 'denied', reason: 'wrong current password' });
    // The session survives a mistyped current password.
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: me.cookie } })).statusCode).toBe(200);
    await signIn(t.app, 'profil@example.com', goodPassword);
  });

  it('checks the policy, naming the failed rules', async () => {
    const { me } = await setup();
    const res = await t.app.inject({ method: 'PUT', url: '/api/me/password', headers: as(me), payload: { currentPassword: goodPassword, newPassword: 'paula' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('password_rejected');
    expect(res.json().error.details).toEqual(expect.arrayContaining([{ field: 'password', reason: 'not-name' }, { field: 'password', reason: 'min-length' }]));
    await signIn(t.app, 'profil@example.com', goodPassword);
  });

  it('sets the password, ends every other session, keeps this one, notifies by mail', async () => {
    const { id, me } = await setup();
    const other = await signIn(t.app, 'profil@example.com', goodPassword);
    const res = await t.app.inject({ method: 'PUT', url: '/api/me/password', headers: as(me), payload: { currentPassword: goodPassword, newPassword: otherGoodPassword } });
    expect(res.statusCode).toBe(204);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: me.cookie } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: other.cookie } })).statusCode).toBe(401);
    const row = await t.container.db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.password_changed_at).toBe('2026-11-28T09:00:00.000Z');
    const mail = await outboxMail(t, 'profil@example.com', 'password-changed');
    expect(mail?.subject).toBe('openeks: Ihr Passwort wurde geändert');
    const [audit] = await auditOf(t, 'password.change');
    expect(audit).toMatchObject({ actor_id: id, result: 'allowed', details: JSON.stringify({ sessionsEnded: 1 }) });
    await signIn(t.app, 'profil@example.com', otherGoodPassword);
    expect((await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'profil@example.com', password: goodPassword } })).statusCode).toBe(401);
  });

  it('refuses an over-long body with validation_failed', async () => {
    const { me } = await setup();
    const res = await t.app.inject({ method: 'PUT', url: '/api/me/password', headers: as(me), payload: { currentPassword: goodPassword, newPassword: 'x'.repeat(513) } });
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ field: 'newPassword' })] });
  });
});
