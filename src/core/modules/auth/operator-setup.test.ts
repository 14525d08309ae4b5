import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, operatorPassword, signIn, asSystem, systemActor, type TestApp } from '../../../../test/harness.js';
import { outboxMail } from '../../../../test/support/accounts.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const tokenOf = (link: string) => new URL(link).hash.replace('#token=', '');

describe('first operator: the bootstrap link', () => {
  it('is issued while no operator exists, creates the operator with the e-mail given, and works once', async () => {
    const link = await t.container.operatorSetup.bootstrapLinkIfNoOperator(systemActor);
    expect(link?.link).toMatch(/^http:\/\/localhost:8080\/setup#token=[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(link?.link ?? '');

    const inspect = await t.app.inject({ method: 'POST', url: '/api/operator-setup/inspect', payload: { token } });
    expect(inspect.statusCode).toBe(200);
    expect(inspect.json()).toEqual({ email: null });

    const noEmail = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token, password: operatorPassword } });
    expect(noEmail.statusCode).toBe(400);
    expect(noEmail.json().error).toMatchObject({ code: 'validation_failed', details: [{ field: 'email', reason: 'required' }] });

    const done = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token, password: operatorPassword, email: 'Chefin@Example.com', name: 'Anna Schmidt' } });
    expect(done.statusCode).toBe(204);
    const user = await t.container.db.kysely.selectFrom('users').selectAll().where('email', '=', 'chefin@example.com').executeTakeFirstOrThrow();
    expect(user).toMatchObject({ is_operator: 1, status: 'active', name: 'Anna Schmidt' });
    expect(user.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    const replay = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token, password: operatorPassword, email: 'other@example.com' } });
    expect(replay.statusCode).toBe(410);
    expect(replay.json().error.code).toBe('token_invalid');
    expect(await t.container.operatorSetup.bootstrapLinkIfNoOperator(systemActor)).toBeNull();

    const actions = await t.container.db.kysely.selectFrom('audit_log').select(['action', 'actor_id']).orderBy('seq').execute();
    expect(actions.map((a) => a.action).filter((a) => a.startsWith('operator.'))).toEqual(['operator.bootstrap', 'operator.activate']);
    expect(actions.at(-1)).toEqual({ action: 'operator.activate', actor_id: user.id });
  });

  it('a second start issues a new link and the older one stops working', async () => {
    const first = await t.container.operatorSetup.bootstrapLinkIfNoOperator(systemActor);
    const second = await t.container.operatorSetup.bootstrapLinkIfNoOperator(systemActor);
    const old = await t.app.inject({ method: 'POST', url: '/api/operator-setup/inspect', payload: { token: tokenOf(first?.link ?? '') } });
    expect(old.statusCode).toBe(410);
    const current = await t.app.inject({ method: 'POST', url: '/api/operator-setup/inspect', payload: { token: tokenOf(second?.link ?? '') } });
    expect(current.statusCode).toBe(200);
  });
});

describe('operator create', () => {
  it('creates a pending operator, mails the link, and the link sets the password', async () => {
    const setup = await t.container.operatorSetup.createOperator({ email: 'Ops@Example.com', ...asSystem });
    const pending = await t.container.db.kysely.selectFrom('users').selectAll().where('email', '=', 'ops@example.com').executeTakeFirstOrThrow();
    expect(pending).toMatchObject({ status: 'pending', is_operator: 1, password_hash: null });
    const mail = await outboxMail(t, 'ops@example.com');
    expect(mail?.template).toBe('operator-setup');
    expect(mail?.text).toContain(setup.link);

    const token = tokenOf(setup.link);
    expect((await t.app.inject({ method: 'POST', url: '/api/operator-setup/inspect', payload: { token } })).json()).toEqual({ email: 'ops@example.com' });
    const res = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token, password: operatorPassword } });
    expect(res.statusCode).toBe(204);
    const session = await signIn(t.app, 'ops@example.com', operatorPassword);
    expect(session.userId).toBe(pending.id);
  });

  it('re-issuing a link invalidates the older one', async () => {
    const first = await t.container.operatorSetup.createOperator({ email: 'ops@example.com', ...asSystem });
    await t.container.operatorSetup.createOperator({ email: 'ops@example.com', ...asSystem });
    const res = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token: tokenOf(first.link), password: operatorPassword } });
    expect(res.statusCode).toBe(410);
  });

  it('refuses an active account with conflict', async () => {
    await t.signInOperator('active@example.com');
    await expect(t.container.operatorSetup.createOperator({ email: 'active@example.com', ...asSystem })).rejects.toMatchObject({ code: 'conflict' });
  });

  it('expires the link after 24 hours', async () => {
    const setup = await t.container.operatorSetup.createOperator({ email: 'late@example.com', ...asSystem });
    t.clock.advance(24 * 3600_000 + 1);
    const res = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token: tokenOf(setup.link), password: operatorPassword } });
    expect(res.statusCode).toBe(410);
    const user = await t.container.db.kysely.selectFrom('users').selectAll().where('email', '=', 'late@example.com').executeTakeFirstOrThrow();
    expect(user.status).toBe('pending');
  });

  it('names every failed password rule and stores nothing', async () => {
    const setup = await t.container.operatorSetup.createOperator({ email: 'kurt@example.com', ...asSystem });
    const res = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token: tokenOf(setup.link), password: 'kurt1' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'password_rejected',
      details: [
        { field: 'password', reason: 'min-length' },
        { field: 'password', reason: 'uppercase' },
        { field: 'password', reason: 'special' },
        { field: 'password', reason: 'not-email' },
        { field: 'password', reason: 'not-common' },
      ],
    });
    const again = await t.app.inject({ method: 'POST', url: '/api/operator-setup/inspect', payload: { token: tokenOf(setup.link) } });
    expect(again.statusCode).toBe(200);
  });

  it('two tabs completing the same link: exactly one wins', async () => {
    const setup = await t.container.operatorSetup.createOperator({ email: 'twice@example.com', ...asSystem });
    const payload = { token: tokenOf(setup.link), password: operatorPassword };
    const results = await Promise.all([
      t.app.inject({ method: 'POST', url: '/api/operator-setup', payload }),
      t.app.inject({ method: 'POST', url: '/api/operator-setup', payload }),
    ]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([204, 410]);
    const activations = await t.container.db.kysely.selectFrom('audit_log').select('id').where('action', '=', 'operator.activate').execute();
    expect(activations).toHaveLength(1);
  });
});

describe("the setup page's language", () => {
  const mailsTo = (email: string) => t.container.db.kysely.selectFrom('mail_outbox').select(['template', 'language', 'subject']).where('recipient', '=', email).orderBy('template').execute();

  it('becomes the first operator’s language: set up in German, mailed in German', async () => {
    const link = await t.container.operatorSetup.bootstrapLinkIfNoOperator(systemActor);
    const token = tokenOf(link?.link ?? '');
    const done = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token, password: operatorPassword, email: 'erste@example.com', language: 'de' } });
    expect(done.statusCode).toBe(204);
    const user = await t.container.db.kysely.selectFrom('users').selectAll().where('email', '=', 'erste@example.com').executeTakeFirstOrThrow();
    expect(user.language).toBe('de');
    expect(await mailsTo('erste@example.com')).toEqual([{ template: 'password-changed', language: 'de', subject: 'openeks: Ihr Passwort wurde geändert' }]);
  });

  it('becomes the language of an operator made with `operator create`, whatever the link was mailed in', async () => {
    const setup = await t.container.operatorSetup.createOperator({ email: 'zweite@example.com', language: 'en', ...asSystem });
    const done = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token: tokenOf(setup.link), password: operatorPassword, language: 'de' } });
    expect(done.statusCode).toBe(204);
    const user = await t.container.db.kysely.selectFrom('users').selectAll().where('email', '=', 'zweite@example.com').executeTakeFirstOrThrow();
    expect(user.language).toBe('de');
    expect(await mailsTo('zweite@example.com')).toEqual([
      { template: 'operator-setup', language: 'en', subject: 'openeks: set the password for your operator account' },
      { template: 'password-changed', language: 'de', subject: 'openeks: Ihr Passwort wurde geändert' },
    ]);
  });

  it('leaves the account’s language as it was when the client sends none', async () => {
    const setup = await t.container.operatorSetup.createOperator({ email: 'dritte@example.com', language: 'de', ...asSystem });
    const done = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token: tokenOf(setup.link), password: operatorPassword } });
    expect(done.statusCode).toBe(204);
    const user = await t.container.db.kysely.selectFrom('users').selectAll().where('email', '=', 'dritte@example.com').executeTakeFirstOrThrow();
    expect(user.language).toBe('de');
    const bad = await t.app.inject({ method: 'POST', url: '/api/operator-setup', payload: { token: tokenOf(setup.link), password: operatorPassword, language: 'fr' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
    expect(new Set(bad.json().error.details.map((d: { field: string }) => d.field))).toEqual(new Set(['language']));
  });
});
