import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, sessionCookieOf, signIn, type TestApp } from '../../../../test/harness.js';
import { auditOf, createActiveUser, goodPassword, outboxCount, outboxMail, outboxToken, recipientsOf, tokenIn } from '../../../../test/support/accounts.js';
import { startSmtpServer, type TestSmtpServer } from '../../../../test/support/smtp.js';
import { envVar } from '../../../lib/env-vars.js';

let t: TestApp;
afterEach(async () => t?.close());

const register = (email: string, extra: Record<string, unknown> = {}, remoteAddress?: string) =>
  t.app.inject({ method: 'POST', url: '/api/registrations', payload: { email, ...extra }, ...(remoteAddress ? { remoteAddress } : {}) });
const inspect = (token: string) => t.app.inject({ method: 'POST', url: '/api/registrations/inspect', payload: { token } });
const complete = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/registrations/complete', payload });
const userByEmail = (email: string) => t.container.db.kysely.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();

describe('registration over real SMTP', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => smtp?.close());

  it('registers a new address: pending account, activation mail in German, the link completes and signs in', async () => {
    t = await createTestApp({ env: { [envVar.smtpUrl]: smtp.url.toString() } });
    const res = await register('Neu.Kunde@Example.com', { language: 'de' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted' });

    const pending = await userByEmail('neu.kunde@example.com');
    expect(pending).toMatchObject({ status: 'pending', password_hash: null, is_operator: 0, language: 'de', email_verified_at: null });
    const tokens = await t.container.db.kysely.selectFrom('one_time_tokens').selectAll().where('user_id', '=', pending?.id ?? '').execute();
    expect(tokens).toHaveLength(1);
    expect(tokens[0]).toMatchObject({ purpose: 'activation', used_at: null, expires_at: '2026-11-29T09:00:00.000Z' });
    const [audit] = await auditOf(t, 'user.register');
    expect(audit).toMatchObject({ result: 'allowed', target_id: pending?.id, details: JSON.stringify({ mail: 'activation' }) });

    await t.container.mailDeliverer.deliverDue();
    const [mail] = await smtp.waitFor(1);
    if (!mail) throw new Error('no mail');
    expect(recipientsOf(mail)).toEqual(['neu.kunde@example.com']);
    expect(mail.subject).toBe('openeks: Aktivieren Sie Ihr Benutzerkonto');
    expect(mail.text).toContain('Registrierung abschließen:\nhttp://localhost:8080/register/complete#token=');
    expect(mail.text).toContain('gültig bis 29. November 2026 um 09:00 UTC');
    expect(mail.html).toContain('href="http://localhost:8080/register/complete#token=');
    const token = tokenIn(mail.text, '/register/complete');
    // The token is stored only as a hash.
    expect(tokens[0]?.token_hash).not.toContain(token);

    expect((await inspect(token)).json()).toEqual({ email: 'neu.kunde@example.com' });
    // A pending account cannot sign in.
    const early = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'neu.kunde@example.com', password: goodPassword } });
    expect(early.statusCode).toBe(401);

    const done = await complete({ token, password: goodPassword, name: '  Kunde Neu ' });
    expect(done.statusCode).toBe(200);
    const body = done.json<{ user: Record<string, unknown>; csrfToken: string }>();
    expect(body.user).toEqual({ id: pending?.id, email: 'neu.kunde@example.com', name: 'Kunde Neu', roles: ['user'], language: 'de' });
    const active = await userByEmail('neu.kunde@example.com');
    expect(active).toMatchObject({ status: 'active', name: 'Kunde Neu', email_verified_at: '2026-11-28T09:00:00.000Z', password_changed_at: '2026-11-28T09:00:00.000Z' });
    expect(active?.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    // Signed in: the cookie works, with the CSRF token for changes.
    const cookie = sessionCookieOf(done);
    const me = await t.app.inject({ method: 'GET', url: '/api/me', headers: { cookie } });
    expect(me.json()).toEqual({ id: pending?.id, email: 'neu.kunde@example.com', name: 'Kunde Neu', language: 'de', roles: ['user'] });
    const session = await t.app.inject({ method: 'GET', url: '/api/session', headers: { cookie } });
    expect(session.json().csrfToken).toBe(body.csrfToken);

    const actions = (await t.container.db.kysely.selectFrom('audit_log').select(['action', 'actor_id', 'auth_method']).orderBy('seq').execute()).filter((a) => !['vault.init', 'audit.key_create', 'signing_key.create'].includes(a.action));
    expect(actions).toEqual([
      { action: 'user.register', actor_id: null, auth_method: 'none' },
      { action: 'session.deny', actor_id: pending?.id, auth_method: 'none' },
      { action: 'user.activate', actor_id: pending?.id, auth_method: 'activation-link' },
      { action: 'session.create', actor_id: pending?.id, auth_method: 'activation-link' },
    ]);

    // The link works once; the account signs in with its password.
    expect((await complete({ token, password: goodPassword })).statusCode).toBe(410);
    expect((await inspect(token)).statusCode).toBe(410);
    await signIn(t.app, 'neu.kunde@example.com', goodPassword);
  });

  it('sets the session cookie exactly as sign-in does', async () => {
    t = await createTestApp({ env: { [envVar.smtpUrl]: smtp.url.toString() } });
    await register('cookie@example.com');
    const token = await outboxTokenOrSmtp(smtp, 'cookie@example.com');
    const done = await complete({ token, password: goodPassword });
    const signedIn = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'cookie@example.com', password: goodPassword } });
    const shape = (res: typeof done) => {
      const { value: _value, ...rest } = res.cookies.find((c) => c.name.endsWith('openeks_session')) ?? {};
      return rest;
    };
    expect(shape(done)).toEqual(shape(signedIn));
    expect(shape(done)).toMatchObject({ name: 'openeks_session', path: '/', httpOnly: true, sameSite: 'Lax' });
  });

  it('an address with an account gets "you already have an account" with the way to reset, and no token', async () => {
    t = await createTestApp({ env: { [envVar.smtpUrl]: smtp.url.toString() } });
    const id = await createActiveUser(t, { email: 'bekannt@example.com', language: 'de' });
    const res = await register('bekannt@example.com', { language: 'en' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ status: 'accepted' });
    const tokens = await t.container.db.kysely.selectFrom('one_time_tokens').select('id').where('user_id', '=', id).execute();
    expect(tokens).toEqual([]);
    await t.container.mailDeliverer.deliverDue();
    const mail = (await waitForMailTo(smtp, 'bekannt@example.com'))[0];
    // The account's own language, not the page's.
    expect(mail?.subject).toBe('openeks: Sie haben bereits ein Benutzerkonto');
    expect(mail?.text).toContain('Passwort vergessen?:\nhttp://localhost:8080/password/forgot');
    expect(mail?.text).toContain('Anmelden:\nhttp://localhost:8080/sign-in');
    expect(mail?.text).not.toContain('#token=');
    const [audit] = await auditOf(t, 'user.register');
    expect(audit).toMatchObject({ result: 'allowed', target_id: id, details: JSON.stringify({ mail: 'already-registered' }) });
  });
});

async function waitForMailTo(smtp: TestSmtpServer, address: string) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = smtp.messages.filter((m) => recipientsOf(m).includes(address));
    if (found.length > 0) return found;
    if (Date.now() > deadline) throw new Error(`no mail to ${address}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function outboxTokenOrSmtp(smtp: TestSmtpServer, address: string): Promise<string> {
  await t.container.mailDeliverer.deliverDue();
  const [mail] = await waitForMailTo(smtp, address);
  return tokenIn(mail?.text, '/register/complete');
}

describe('registration: no enumeration (SEC-18)', () => {
  it('answers a new, a pending, an active and a disabled address with the same status and body', async () => {
    t = await createTestApp();
    await createActiveUser(t, { email: 'active@example.com' });
    await createActiveUser(t, { email: 'disabled@example.com' });
    await t.container.db.kysely.updateTable('users').set({ status: 'disabled' }).where('email', '=', 'disabled@example.com').execute();
    await register('pending@example.com');
    const answers = [];
    for (const email of ['new@example.com', 'pending@example.com', 'active@example.com', 'disabled@example.com']) {
      const res = await register(email);
      answers.push({ status: res.statusCode, body: res.body, type: res.headers['content-type'] });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]).toEqual({ status: 202, body: '{"status":"accepted"}', type: 'application/json; charset=utf-8' });
    expect(await outboxCount(t, 'disabled@example.com')).toBe(0);
    expect((await outboxMail(t, 'active@example.com'))?.template).toBe('already-registered');
    expect((await outboxMail(t, 'new@example.com'))?.template).toBe('activation');
  });

  it('takes comparable time for a known and an unknown address', async () => {
    t = await createTestApp();
    await createActiveUser(t, { email: 'known@example.com' });
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
    const known: number[] = [];
    const unknown: number[] = [];
    const timed = async (email: string, into: number[]) => {
      const start = performance.now();
      await register(email);
      into.push(performance.now() - start);
    };
    for (let i = 0; i < 15; i += 1) {
      t.clock.advance(16 * 60_000); // stay under the re-send limit
      // Alternating which goes first, so a load spike on the shared machine hits both sides alike.
      if (i % 2 === 0) {
        await timed('known@example.com', known);
        await timed(`unknown-${i}@example.com`, unknown);
      } else {
        await timed(`unknown-${i}@example.com`, unknown);
        await timed('known@example.com', known);
      }
    }
    // A leak worth the name (a password hash on one side only) is hundreds of milliseconds; the
    // bound is 50 ms or a third of the slower side, whichever is larger, so load cannot fail it.
    const [a, b] = [median(known), median(unknown)];
    expect(Math.abs(a - b)).toBeLessThan(Math.max(50, Math.max(a, b) / 3));
  });
});

describe('registration links', () => {
  it('a new request invalidates the older link', async () => {
    t = await createTestApp();
    await register('twice@example.com');
    const first = await outboxToken(t, 'twice@example.com', 'activation');
    t.clock.advance(1000);
    await register('twice@example.com', { language: 'de' });
    const second = await outboxToken(t, 'twice@example.com', 'activation');
    expect(second).not.toBe(first);
    expect((await inspect(first)).statusCode).toBe(410);
    expect((await complete({ token: first, password: goodPassword })).json().error.code).toBe('token_invalid');
    // The later request's language is the pending account's now.
    expect((await outboxMail(t, 'twice@example.com'))?.language).toBe('de');
    expect((await userByEmail('twice@example.com'))?.language).toBe('de');
    expect((await complete({ token: second, password: goodPassword })).statusCode).toBe(200);
  });

  it('expires after 24 hours, leaving the account pending', async () => {
    t = await createTestApp();
    await register('late@example.com');
    const token = await outboxToken(t, 'late@example.com', 'activation');
    t.clock.advance(24 * 3600_000 - 1000);
    expect((await inspect(token)).statusCode).toBe(200);
    t.clock.advance(1001);
    expect((await inspect(token)).statusCode).toBe(410);
    const res = await complete({ token, password: goodPassword });
    expect(res.statusCode).toBe(410);
    expect(res.json().error).toMatchObject({ code: 'token_invalid', message: 'This link is invalid, was already used or has expired.' });
    expect((await userByEmail('late@example.com'))?.status).toBe('pending');
    expect(await auditOf(t, 'user.activate')).toEqual([]);
  });

  it('two tabs completing the same registration: exactly one wins, nothing half-done', async () => {
    t = await createTestApp();
    await register('tabs@example.com');
    const token = await outboxToken(t, 'tabs@example.com', 'activation');
    const results = await Promise.all([complete({ token, password: goodPassword, name: 'Tab Eins' }), complete({ token, password: 'Andere-Wahl 99 Zähler', name: 'Tab Zwei' })]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 410]);
    const loser = results.find((r) => r.statusCode === 410);
    expect(loser?.json().error.code).toBe('token_invalid');
    expect(loser?.cookies).toEqual([]);
    expect(await auditOf(t, 'user.activate')).toHaveLength(1);
    const sessions = await t.container.db.kysely.selectFrom('sessions').select('id').execute();
    expect(sessions).toHaveLength(1);
    const winner = results.find((r) => r.statusCode === 200);
    expect((await userByEmail('tabs@example.com'))?.name).toBe(winner?.json().user.name);
  });

  it('a reset link is no activation link, and an activation link no reset link', async () => {
    t = await createTestApp();
    await register('mixed@example.com');
    const activation = await outboxToken(t, 'mixed@example.com', 'activation');
    const onReset = await t.app.inject({ method: 'POST', url: '/api/password-resets/complete', payload: { token: activation, password: goodPassword } });
    expect(onReset.statusCode).toBe(410);
    expect((await t.app.inject({ method: 'POST', url: '/api/password-resets/inspect', payload: { token: activation } })).statusCode).toBe(410);
    // Still good for its own purpose.
    expect((await inspect(activation)).statusCode).toBe(200);

    await createActiveUser(t, { email: 'resetter@example.com' });
    await t.app.inject({ method: 'POST', url: '/api/password-resets', payload: { email: 'resetter@example.com' } });
    const reset = await outboxToken(t, 'resetter@example.com', 'password-reset');
    expect((await complete({ token: reset, password: goodPassword })).statusCode).toBe(410);
  });
});

describe('registration: the password policy on the server', () => {
  it('names every failed rule by its id and changes nothing', async () => {
    t = await createTestApp();
    await register('anna.schmidt@example.com');
    const token = await outboxToken(t, 'anna.schmidt@example.com', 'activation');
    const res = await complete({ token, password: 'anna', name: 'Anna Schmidt' });
    expect(res.statusCode).toBe(400);
    const error = res.json().error;
    expect(error.code).toBe('password_rejected');
    const reasons = (error.details as { field: string; reason: string }[]).map((d) => d.reason);
    expect(reasons).toEqual(expect.arrayContaining(['min-length', 'uppercase', 'digit', 'special', 'not-name', 'not-email']));
    expect((error.details as { field: string }[]).every((d) => d.field === 'password')).toBe(true);

    const withName = await complete({ token, password: 'Anna.Schmidt1!', name: 'Anna Schmidt' });
    expect(withName.json().error.details).toEqual(expect.arrayContaining([{ field: 'password', reason: 'not-name' }]));
    const common = await complete({ token, password: 'Passw0rd!' });
    expect(common.json().error.details).toEqual([{ field: 'password', reason: 'not-common' }]);

    const user = await userByEmail('anna.schmidt@example.com');
    expect(user).toMatchObject({ status: 'pending', password_hash: null, name: null });
    expect((await inspect(token)).statusCode).toBe(200);
  });

  it('refuses passwords over 128 characters by the rule, never truncating', async () => {
    t = await createTestApp();
    await register('long@example.com');
    const token = await outboxToken(t, 'long@example.com', 'activation');
    const long = `Aa1!${'ü'.repeat(125)}`;
    const res = await complete({ token, password: long });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details).toEqual([{ field: 'password', reason: 'max-length' }]);
    const absurd = await complete({ token, password: 'Aa1!'.repeat(200) });
    expect(absurd.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'password' }] });
    const exactly128 = `Aa1!${'ü'.repeat(124)}`;
    expect((await complete({ token, password: exactly128 })).statusCode).toBe(200);
    await signIn(t.app, 'long@example.com', exactly128);
  });
});

describe('registration: bad input', () => {
  it.each([
    ['a malformed e-mail', { email: 'not-an-address' }, 'email'],
    ['an over-long e-mail', { email: `${'a'.repeat(250)}@example.com` }, 'email'],
    ['a missing e-mail', {}, 'email'],
    ['an unknown language', { email: 'x@example.com', language: 'fr' }, 'language'],
    ['an unknown field', { email: 'x@example.com', admin: true }, 'admin'],
  ])('refuses %s with validation_failed and creates nothing', async (_what, payload, field) => {
    t = await createTestApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/registrations', payload });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: expect.arrayContaining([expect.objectContaining({ field })]) });
    expect(await t.container.db.kysely.selectFrom('users').select('id').execute()).toEqual([]);
  });

  it.each([
    ['a line break', 'Anna\nSchmidt'],
    ['a NUL', 'Anna\u0000'],
    ['a C1 control', 'Anna\u0085Schmidt'],
    ['a line separator', 'Anna\u2028Schmidt'],
    ['more than 200 characters', 'A'.repeat(201)],
  ])('refuses a name with %s', async (_what, name) => {
    t = await createTestApp();
    await register('named@example.com');
    const token = await outboxToken(t, 'named@example.com', 'activation');
    const res = await complete({ token, password: goodPassword, name });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: 'validation_failed', details: [expect.objectContaining({ field: 'name' })] });
    expect((await userByEmail('named@example.com'))?.status).toBe('pending');
  });

  it('refuses a malformed token with validation_failed and an unknown one with token_invalid', async () => {
    t = await createTestApp();
    expect((await inspect('short')).json().error.code).toBe('validation_failed');
    expect((await inspect('A'.repeat(43))).json().error.code).toBe('token_invalid');
  });
});

describe('registration: re-sending is rate-limited', () => {
  it('per address: three mails in 15 minutes, then the same answer, no mail, an audit record', async () => {
    t = await createTestApp();
    for (let i = 0; i < 3; i += 1) {
      expect((await register('again@example.com')).statusCode).toBe(202);
      t.clock.advance(60_000);
    }
    const fourth = await register('again@example.com');
    expect(fourth.statusCode).toBe(202);
    expect(fourth.json()).toEqual({ status: 'accepted' });
    expect(await outboxCount(t, 'again@example.com')).toBe(3);
    const audits = await auditOf(t, 'user.register');
    expect(audits.map((a) => a.result)).toEqual(['allowed', 'allowed', 'allowed', 'denied']);
    expect(audits[3]?.reason).toBe('rate limited: no mail sent');
    // The newest link sent is still the valid one.
    expect((await inspect(await outboxToken(t, 'again@example.com', 'activation'))).statusCode).toBe(200);

    // The known account's "already registered" mails count alike.
    await createActiveUser(t, { email: 'known-again@example.com' });
    for (let i = 0; i < 4; i += 1) await register('known-again@example.com');
    expect(await outboxCount(t, 'known-again@example.com')).toBe(3);

    // 15 minutes after the second mail, one more may go.
    t.clock.advance(12 * 60_000 + 1);
    await register('again@example.com');
    expect(await outboxCount(t, 'again@example.com')).toBe(4);
    await register('again@example.com');
    expect(await outboxCount(t, 'again@example.com')).toBe(4);
  });

  it('per source address: the route limit answers 429, whatever the e-mail', async () => {
    t = await createTestApp({ app: { rateLimits: { global: 10_000, auth: 2 } } });
    expect((await register('one@example.com', {}, '192.0.2.7')).statusCode).toBe(202);
    expect((await register('two@example.com', {}, '192.0.2.7')).statusCode).toBe(202);
    const third = await register('three@example.com', {}, '192.0.2.7');
    expect(third.statusCode).toBe(429);
    expect(third.json().error.code).toBe('rate_limited');
    expect(third.headers['retry-after']).toBeDefined();
    expect(await userByEmail('three@example.com')).toBeUndefined();
    expect((await register('three@example.com', {}, '192.0.2.8')).statusCode).toBe(202);
  });
});
