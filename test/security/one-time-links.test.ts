import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, testMasterKey, type SignedIn, type TestApp } from '../harness.js';
import { createActiveUser, outboxToken, tokenIn } from '../support/accounts.js';
import { startSmtpServer } from '../support/smtp.js';
import { envVar } from '../../src/lib/env-vars.js';

// Nobody reads another person's one-time link (SEC-10, SEC-23; issue 11, item 2). An operator who
// sends a user a reset link must not be able to read it back through any route and sign in as
// that user, and the links of queued mail must not sit in the database in plain text. The walk
// covers every GET route the app registers, so a route added later is covered the day it is added.

let t: TestApp;
let operator: SignedIn;
let userId: string;
const tokens: string[] = [];

const headers = () => ({ cookie: operator.cookie, 'x-csrf-token': operator.csrfToken });

beforeAll(async () => {
  t = await createTestApp();
  operator = await t.signInOperator('probe-operator@example.com');
  userId = await createActiveUser(t, { email: 'victim@example.com', language: 'de' });

  // The operator sends the victim a reset link; a stranger registers; the victim forgets their password.
  const reset = await t.app.inject({ method: 'POST', url: `/api/users/${userId}/password-reset`, headers: headers() });
  expect(reset.statusCode).toBe(204);
  const registration = await t.app.inject({ method: 'POST', url: '/api/registrations', payload: { email: 'newcomer@example.com', language: 'en' } });
  expect(registration.statusCode).toBe(202);
  await t.container.operatorSetup.createOperator({ email: 'second-operator@example.com', ...asSystem });
  for (const answer of [reset.body, registration.body]) expect(answer).not.toContain('token');

  tokens.push(await outboxToken(t, 'victim@example.com', 'password-reset'));
  tokens.push(await outboxToken(t, 'newcomer@example.com', 'activation'));
});

afterAll(async () => t?.close());

/** `table.column` of every value that holds a link or one of the tokens. */
async function plainLinksIn(app: TestApp, known: string[]): Promise<string[]> {
  const rows = await app.container.db.kysely.selectFrom('mail_outbox').selectAll().execute();
  expect(rows.length).toBeGreaterThan(0);
  return rows.flatMap((row) =>
    Object.entries(row)
      .filter(([, value]) => typeof value === 'string' && (/token=/.test(value) || known.some((token) => value.includes(token))))
      .map(([column]) => `${row.id}.${column}`),
  );
}

/** Every concrete URL to try for a GET route: each id the database knows for an `:id`, and a dummy. */
async function urlsOf(url: string): Promise<string[]> {
  if (!url.includes(':')) return [url];
  const mails = await t.container.db.kysely.selectFrom('mail_outbox').select('id').execute();
  const users = await t.container.db.kysely.selectFrom('users').select('id').execute();
  const ids = [...mails.map((m) => m.id), ...users.map((u) => u.id), 'x'];
  return ids.map((id) => url.replace(/:id\b/g, id).replace(/:([A-Za-z]+)/g, 'x'));
}

describe('one-time links (SEC-10, SEC-23)', () => {
  it('are in none of the answers of any GET route an operator can call', async () => {
    const routes = t.app.routeInventory.filter((r) => r.method === 'GET' && r.url.startsWith('/api/') && !r.url.startsWith('/api/docs'));
    expect(routes.map((r) => r.url)).toEqual(expect.arrayContaining(['/api/mail/outbox', '/api/mail/outbox/:id']));
    let outboxAnswers = 0;
    for (const route of routes) {
      for (const url of await urlsOf(route.url)) {
        const res = await t.app.inject({ method: 'GET', url, headers: headers() });
        if (url.startsWith('/api/mail/outbox') && res.statusCode === 200) outboxAnswers += 1;
        const found = tokens.filter((token) => res.body.includes(token));
        expect({ url, link: /token=/.test(res.body), tokens: found }).toEqual({ url, link: false, tokens: [] });
      }
    }
    // The list, and each of the five mails (two setup mails and their notices, a reset, an activation) opened on its own.
    expect(outboxAnswers).toBeGreaterThanOrEqual(6);
  });

  it('cannot be used by the operator who sent them: the reset link stays with its recipient', async () => {
    const list = await t.app.inject({ method: 'GET', url: '/api/mail/outbox?limit=200', headers: headers() });
    const mail = list.json<{ items: Array<{ id: string; recipient: string; template: string }> }>().items.find((m) => m.recipient === 'victim@example.com');
    if (!mail) throw new Error('the reset mail is not listed');
    const opened = await t.app.inject({ method: 'GET', url: `/api/mail/outbox/${mail.id}`, headers: headers() });
    expect(opened.statusCode).toBe(200);
    expect(opened.json()).toMatchObject({ id: mail.id, recipient: 'victim@example.com', template: 'password-reset', oneTimeLink: true });
    expect(opened.json()).not.toHaveProperty('text');
    expect(opened.json()).not.toHaveProperty('html');
  });

  it('are not stored in plain text: no column of the outbox holds a link or a token', async () => {
    expect(await plainLinksIn(t, tokens)).toEqual([]);
  });
});

describe('one-time links waiting for SMTP', () => {
  it('are not stored in plain text while the mail waits for delivery, and reach the recipient intact', async () => {
    const smtp = await startSmtpServer();
    const app = await createTestApp({ env: { [envVar.smtpUrl]: smtp.url.toString() } });
    try {
      smtp.setFailing(true);
      await app.container.operatorSetup.createOperator({ email: 'waiting@example.com', ...asSystem });
      await app.container.mailDeliverer.deliverDue();
      // The round the service kicked after the commit may be the one that tried.
      await expect.poll(async () => (await app.container.db.kysely.selectFrom('mail_outbox').select(['status', 'attempts']).execute())).toEqual([{ status: 'pending', attempts: 1 }]);
      expect(await plainLinksIn(app, [])).toEqual([]);

      smtp.setFailing(false);
      app.clock.advance(3_600_000);
      expect(await app.container.mailDeliverer.deliverDue()).toEqual({ sent: 1, failed: 0 });
      const [mail] = await smtp.waitFor(1);
      const token = tokenIn(mail?.text, 'http://localhost:8080/setup');
      const inspect = await app.app.inject({ method: 'POST', url: '/api/operator-setup/inspect', payload: { token } });
      expect(inspect.json()).toEqual({ email: 'waiting@example.com' });
      expect(await plainLinksIn(app, [token])).toEqual([]);
    } finally {
      await app.close();
      await smtp.close();
    }
  });
});

describe('mail while the vault is sealed', () => {
  it('is refused alike for every address: the sealed bodies must not tell who has an account (SEC-18)', async () => {
    const first = await createTestApp();
    const sealed = await createTestApp({ env: { [envVar.databaseUrl]: first.secrets.databaseUrl.reveal(), [envVar.masterKey]: testMasterKey() } });
    try {
      await createActiveUser(first, { email: 'active@example.com' });
      const disabled = await createActiveUser(first, { email: 'disabled@example.com' });
      await first.container.db.kysely.updateTable('users').set({ status: 'disabled' }).where('id', '=', disabled).execute();
      expect(sealed.container.vault.status().sealed).toBe(true);
      const before = await sealed.container.db.kysely.selectFrom('users').select('id').execute();

      const answers: Array<{ url: string; email: string; status: number; code: unknown; message: unknown }> = [];
      for (const url of ['/api/registrations', '/api/password-resets']) {
        for (const email of ['active@example.com', 'disabled@example.com', 'unknown@example.com']) {
          const res = await sealed.app.inject({ method: 'POST', url, payload: { email } });
          answers.push({ url, email, status: res.statusCode, code: res.json().error?.code, message: res.json().error?.message });
        }
      }
      const message = answers[0]?.message;
      expect(message).toMatch(/^The key vault is sealed: master key env:OPENEKS_MASTER_KEY/);
      expect(answers).toEqual(answers.map(({ url, email }) => ({ url, email, status: 503, code: 'sealed', message })));
      expect(await sealed.container.db.kysely.selectFrom('mail_outbox').select('id').execute()).toEqual([]);
      expect(await sealed.container.db.kysely.selectFrom('users').select('id').execute()).toEqual(before);
    } finally {
      await sealed.close();
      await first.close();
    }
  });
});
