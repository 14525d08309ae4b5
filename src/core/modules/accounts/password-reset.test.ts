import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword, otherGoodPassword, outboxCount, outboxMail, outboxToken, recipientsOf, tokenIn } from '../../../../test/support/accounts.js';
import { startSmtpServer, type TestSmtpServer } from '../../../../test/support/smtp.js';
import { envVar } from '../../../lib/env-vars.js';

let t: TestApp;
afterEach(async () => t?.close());

const requestReset = (email: string) => t.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email } });
const inspect = (token: string) => t.app.inject({ method: 'POST', url: '/api/password-resets/inspect', payload: { token } });
const complete = (token: string, password: string) => t.app.inject({ method: 'POST', url: '/api/password-resets/complete', payload: { token, password } });
const userById = (id: string) => t.container.db.kysely.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const sessionsOf = (id: string) => t.container.db.kysely.selectFrom('sessions').select('id').where('user_id', '=', id).execute();

describe('forgot password over real SMTP', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => smtp?.close());

  it('mails a one-hour link; the new password ends every session, lifts the locks, notifies, and signs nobody in', async () => {
    t = await createTestApp({ env: { [envVar.smtpUrl]: smtp.url.toString() } });
    const id = await createActiveUser(t, { email: 'vergesslich@example.com', language: 'de', name: 'Vera Gesslich' });
    const first = await signIn(t.app, 'vergesslich@example.com', goodPassword);
    await signIn(t.app, 'vergesslich@example.com', goodPassword);
    await t.container.db.kysely.updateTable('users').set({ failed_sign_ins: 100, locked_until: '2026-11-28T10:00:00.000Z', hard_locked: 1 }).where('id', '=', id).execute();

    const res = await requestReset('Vergesslich@Example.com');
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted' });
    const [request] = await auditOf(t, 'password.reset_request');
    expect(request).toMatchObject({ result: 'allowed', target_id: id, details: JSON.stringify({ mail: 'password-reset' }) });
    const [token] = await t.container.db.kysely.selectFrom('one_time_tokens').selectAll().where('user_id', '=', id).execute();
    expect(token).toMatchObject({ purpose: 'password-reset', expires_at: '2026-11-28T10:00:00.000Z', used_at: null });

    await t.container.mailDeliverer.deliverDue();
    const [mail] = await smtp.waitFor(1);
    if (!mail) throw new Error('no mail');
    expect(recipientsOf(mail)).toEqual(['vergesslich@example.com']);
    expect(mail.subject).toBe('openeks: Neues Passwort festlegen');
    expect(mail.text).toContain('Sie haben ein neues Passwort für Ihr openeks-Konto angefordert.');
    expect(mail.text).toContain('gültig bis 28. November 2026 um 10:00 UTC');
    const link = tokenIn(mail.text, 'http://localhost:8080/password/reset');

    expect((await inspect(link)).json()).toEqual({ email: 'vergesslich@example.com', name: 'Vera Gesslich' });
    const done = await complete(link, otherGoodPassword);
    expect(done.statusCode).toBe(204);
    // No session: a second factor must never be bypassed by a reset.
    expect(done.cookies).toEqual([]);

    const user = await userById(id);
    expect(user).toMatchObject({ failed_sign_ins: 0, locked_until: null, hard_locked: 0, password_changed_at: '2026-11-28T09:00:00.000Z' });
    expect(await sessionsOf(id)).toEqual([]);
    const gone = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie: first.cookie } });
    expect(gone.statusCode).toBe(401);
    const [reset] = await auditOf(t, 'password.reset');
    expect(reset).toMatchObject({ result: 'allowed', actor_id: id, target_id: id, auth_method: 'reset-link', details: JSON.stringify({ sessionsEnded: 2 }) });

    await t.container.mailDeliverer.deliverDue();
    const [, notice] = await smtp.waitFor(2);
    expect(notice?.subject).toBe('openeks: Ihr Passwort wurde geändert');

    expect((await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'vergesslich@example.com', password: goodPassword } })).statusCode).toBe(401);
    await signIn(t.app, 'vergesslich@example.com', otherGoodPassword);
    expect((await complete(link, goodPassword)).statusCode).toBe(410);
  });
});

describe('forgot password: no enumeration (SEC-18)', () => {
  it('answers a known and an unknown address alike; only the known one gets mail', async () => {
    t = await createTestApp();
    await createActiveUser(t, { email: 'known@example.com' });
    const known = await requestReset('known@example.com');
    const unknown = await requestReset('unknown@example.com');
    expect({ status: unknown.statusCode, body: unknown.body, type: unknown.headers['content-type'] }).toEqual({
      status: known.statusCode,
      body: known.body,
      type: known.headers['content-type'],
    });
    expect(known.statusCode).toBe(202);
    expect(await outboxCount(t, 'known@example.com')).toBe(1);
    expect(await outboxCount(t, 'unknown@example.com')).toBe(0);
    const audits = await auditOf(t, 'password.reset_request');
    expect(audits.map((a) => [a.result, a.reason])).toEqual([
      ['allowed', null],
      ['denied', 'unknown e-mail'],
    ]);
  });

  it('a pending account gets a fresh activation link instead; a disabled one nothing', async () => {
    t = await createTestApp();
    await t.app.inject({ method: 'POST', url: '/api/registrations', payload: { email: 'pending@example.com' } });
    t.clock.advance(1000);
    expect((await requestReset('pending@example.com')).statusCode).toBe(202);
    expect((await outboxMail(t, 'pending@example.com'))?.template).toBe('activation');
    expect(await outboxCount(t, 'pending@example.com')).toBe(2);

    const id = await createActiveUser(t, { email: 'disabled@example.com' });
    await t.container.db.kysely.updateTable('users').set({ status: 'disabled' }).where('id', '=', id).execute();
    expect((await requestReset('disabled@example.com')).statusCode).toBe(202);
    expect(await outboxCount(t, 'disabled@example.com')).toBe(0);
  });
});

describe('reset links', () => {
  it('expire after one hour', async () => {
    t = await createTestApp();
    const id = await createActiveUser(t, { email: 'slow@example.com' });
    await requestReset('slow@example.com');
    const token = await outboxToken(t, 'slow@example.com', 'password-reset');
    t.clock.advance(3600_000);
    expect((await inspect(token)).statusCode).toBe(410);
    const res = await complete(token, otherGoodPassword);
    expect(res.json().error.code).toBe('token_invalid');
    expect((await userById(id)).password_changed_at).toBe('2026-11-28T09:00:00.000Z');
    await signIn(t.app, 'slow@example.com', goodPassword);
  });

  it('a new request invalidates the older link', async () => {
    t = await createTestApp();
    await createActiveUser(t, { email: 'twice@example.com' });
    await requestReset('twice@example.com');
    const first = await outboxToken(t, 'twice@example.com', 'password-reset');
    t.clock.advance(1000);
    await requestReset('twice@example.com');
    const second = await outboxToken(t, 'twice@example.com', 'password-reset');
    expect((await complete(first, otherGoodPassword)).statusCode).toBe(410);
    expect((await complete(second, otherGoodPassword)).statusCode).toBe(204);
  });

  it('refuses a password that breaks the policy, naming the rules, and keeps the link usable', async () => {
    t = await createTestApp();
    await createActiveUser(t, { email: 'k7@example.com', name: 'Kurt Weber' });
    await requestReset('k7@example.com');
    const token = await outboxToken(t, 'k7@example.com', 'password-reset');
    const res = await complete(token, 'Kurt-im-Keller 9!');
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'password_rejected', details: [{ field: 'password', reason: 'not-name' }] });
    const tooLong = await complete(token, `Aa1!${'x'.repeat(125)}`);
    expect(tooLong.json().error.details).toEqual([{ field: 'password', reason: 'max-length' }]);
    expect(await auditOf(t, 'password.reset')).toEqual([]);
    expect((await inspect(token)).statusCode).toBe(200);
  });

  it('two tabs: exactly one reset wins', async () => {
    t = await createTestApp();
    await createActiveUser(t, { email: 'tabs@example.com' });
    await requestReset('tabs@example.com');
    const token = await outboxToken(t, 'tabs@example.com', 'password-reset');
    const results = await Promise.all([complete(token, otherGoodPassword), complete(token, 'Dritte-Wahl 42 Zähler')]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([204, 410]);
    expect(await auditOf(t, 'password.reset')).toHaveLength(1);
  });

  it('re-sending is limited to three mails per address in 15 minutes, with the same answer', async () => {
    t = await createTestApp();
    await createActiveUser(t, { email: 'spam@example.com' });
    for (let i = 0; i < 5; i += 1) expect((await requestReset('spam@example.com')).statusCode).toBe(202);
    expect(await outboxCount(t, 'spam@example.com')).toBe(3);
    const audits = await auditOf(t, 'password.reset_request');
    expect(audits.map((a) => a.result)).toEqual(['allowed', 'allowed', 'allowed', 'denied', 'denied']);
    t.clock.advance(15 * 60_000 + 1);
    await requestReset('spam@example.com');
    expect(await outboxCount(t, 'spam@example.com')).toBe(4);
  });
});

describe('operators send a reset link', () => {
  it('mails the link (never a password), answers 204 and audits it', async () => {
    t = await createTestApp();
    const operator = await t.signInOperator('op@example.com');
    const id = await createActiveUser(t, { email: 'kunde@example.com', language: 'en' });
    const res = await t.app.inject({ method: 'POST', url: `/api/users/${id}/password-reset`, headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken } });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    const mail = await outboxMail(t, 'kunde@example.com', 'password-reset');
    expect(mail?.subject).toBe('openeks: set a new password');
    expect(mail?.text).toContain('An operator of openeks sent you this link');
    const [audit] = await auditOf(t, 'password.reset_request');
    expect(audit).toMatchObject({ actor_id: operator.userId, actor_role: 'operator', target_id: id, result: 'allowed' });
    // The password is unchanged until the user sets one.
    await signIn(t.app, 'kunde@example.com', goodPassword);

    const unknown = await t.app.inject({ method: 'POST', url: '/api/users/usr_nobody/password-reset', headers: { cookie: operator.cookie, 'x-csrf-token': operator.csrfToken } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('not_found');
  });

  it('is not for other users (404, audited as access.deny)', async () => {
    t = await createTestApp();
    const id = await createActiveUser(t, { email: 'reader@example.com' });
    const reader = await signIn(t.app, 'reader@example.com', goodPassword);
    const res = await t.app.inject({ method: 'POST', url: `/api/users/${id}/password-reset`, headers: { cookie: reader.cookie, 'x-csrf-token': reader.csrfToken } });
    expect(res.statusCode).toBe(404);
    expect(await outboxCount(t, 'reader@example.com')).toBe(0);
    expect(await auditOf(t, 'access.deny')).toHaveLength(1);
  });
});
