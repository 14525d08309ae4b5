import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, signIn, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { createActiveUser, goodPassword, recipientsOf, signInNewUser } from '../../../../test/support/accounts.js';
import { startSmtpServer, type TestSmtpServer } from '../../../../test/support/smtp.js';
import { envVar } from '../../../lib/env-vars.js';

// The operators' mail about new requests, over real SMTP: one mail per request that arrives
// alone, one digest for requests that arrive together, each operator in their language, never
// twice. And the requester's decision mail.

let smtp: TestSmtpServer;
let t: TestApp;
let op: SignedIn;
const delayMs = 60_000;

beforeAll(async () => {
  smtp = await startSmtpServer();
  t = await createTestApp({ env: { [envVar.smtpUrl]: smtp.url.toString() }, container: { accessRequestDigestMs: delayMs } });
  op = await t.signInOperator('ops.en@example.com');
  await createActiveUser(t, { email: 'ops.de@example.com', operator: true, language: 'de' });
  await createActiveUser(t, { email: 'ops.disabled@example.com', operator: true, language: 'de' });
  await t.container.db.kysely.updateTable('users').set({ status: 'disabled' }).where('email', '=', 'ops.disabled@example.com').execute();
});
afterAll(async () => {
  await t?.close();
  await smtp?.close();
});

const ask = (s: SignedIn, payload: object) =>
  t.app.inject({ method: 'POST', url: '/api/me/access-requests', headers: { cookie: s.cookie, 'x-csrf-token': s.csrfToken }, payload: { relation: 'dealer', ...payload } });
const toOperators = () => smtp.messages.filter((m) => m.subject?.includes('superuser request') || m.subject?.includes('Superuser-Anfrage'));
const deliver = () => t.container.mailDeliverer.deliverDue();

describe('the operators’ mail', () => {
  it('waits for others, then sends one digest per active operator, in their language, once', async () => {
    const sent = smtp.messages.length;
    const users = await Promise.all(['h1', 'h2', 'h3'].map((n) => signInNewUser(t, `${n}@example.com`)));
    expect((await ask(users[0] as SignedIn, { customerNo: '4711' })).statusCode).toBe(201);
    t.clock.advance(20_000);
    expect((await ask(users[1] as SignedIn, { customerName: 'Wohnbau Nord' })).statusCode).toBe(201);
    t.clock.advance(30_000);
    expect(await t.container.accessRequestDigest.runDue()).toBe(0);

    t.clock.advance(10_000);
    // The first request has waited a minute: it and the one that came meanwhile go together.
    expect((await ask(users[2] as SignedIn, { customerNo: 'K-9', customerName: 'Kunde Neun' })).statusCode).toBe(201);
    expect(await t.container.accessRequestDigest.runDue()).toBe(3);
    expect(await t.container.accessRequestDigest.runDue()).toBe(0);
    await deliver();
    await smtp.waitFor(sent + 2);

    const mails = toOperators().slice(-2);
    expect(mails.map((m) => recipientsOf(m)[0]).sort()).toEqual(['ops.de@example.com', 'ops.en@example.com']);
    const en = mails.find((m) => recipientsOf(m)[0] === 'ops.en@example.com');
    const de = mails.find((m) => recipientsOf(m)[0] === 'ops.de@example.com');
    expect(en?.subject).toBe('openeks: 3 new superuser requests');
    expect(en?.text).toContain('h1@example.com (dealer) for 4711');
    expect(en?.text).toContain('h2@example.com (dealer) for Wohnbau Nord');
    expect(en?.text).toContain('h3@example.com (dealer) for K-9 · Kunde Neun');
    expect(en?.text).toContain('http://localhost:8080/access-requests');
    expect(de?.subject).toBe('openeks: 3 neue Superuser-Anfragen');
    expect(de?.text).toContain('h1@example.com (Händler) für 4711');
    expect(smtp.messages.some((m) => recipientsOf(m).includes('ops.disabled@example.com'))).toBe(false);
    const rows = await t.container.db.kysely.selectFrom('access_requests').select('operators_notified_at').execute();
    expect(rows.every((r) => r.operators_notified_at === t.clock.now().toISOString())).toBe(true);
  });

  it('names the requester of a request that arrived alone, and leaves out a withdrawn one', async () => {
    const sent = toOperators().length;
    const before = smtp.messages.length;
    const alone = await signInNewUser(t, 'alone@example.com');
    const gone = await signInNewUser(t, 'gone@example.com');
    const withdrawn = (await ask(gone, { customerNo: '1' })).json().id;
    await t.app.inject({ method: 'POST', url: `/api/me/access-requests/${withdrawn}/withdraw`, headers: { cookie: gone.cookie, 'x-csrf-token': gone.csrfToken }, payload: {} });
    expect((await ask(alone, { customerNo: '4711', relation: 'customer-admin' })).statusCode).toBe(201);
    t.clock.advance(delayMs);
    expect(await t.container.accessRequestDigest.runDue()).toBe(1);
    await deliver();
    // A kicked round of the deliverer may be the one sending them: wait for both.
    await smtp.waitFor(before + 2);
    const mails = toOperators().slice(sent);
    expect(mails).toHaveLength(2);
    const en = mails.find((m) => recipientsOf(m)[0] === 'ops.en@example.com');
    expect(en?.subject).toBe('openeks: new superuser request from alone@example.com');
    expect(en?.text).toContain("alone@example.com (the customer's own administrator) for 4711");
    expect(en?.text).not.toContain('gone@example.com');
  });
});

describe('the requester’s mail', () => {
  it('arrives over SMTP in the requester’s language with the decision', async () => {
    await createActiveUser(t, { email: 'entscheidung@example.com', language: 'de' });
    const user = await signIn(t.app, 'entscheidung@example.com', goodPassword);
    const before = smtp.messages.length;
    const id = (await ask(user, { customerNo: 'X-1' })).json().id;
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/access-requests/${id}/reject`,
      headers: { cookie: op.cookie, 'x-csrf-token': op.csrfToken },
      payload: { reason: 'Bitte mit Kundennummer aus dem Liefervertrag.' },
    });
    expect(res.statusCode).toBe(200);
    await deliver();
    await smtp.waitFor(before + 1);
    const mail = smtp.messages.find((m) => recipientsOf(m).includes('entscheidung@example.com'));
    expect(mail?.subject).toBe('openeks: Ihre Superuser-Anfrage wurde abgelehnt');
    expect(mail?.text).toContain('Ihre Anfrage auf Superuser-Zugang (X-1) wurde abgelehnt.');
    expect(mail?.text).toContain('Begründung: Bitte mit Kundennummer aus dem Liefervertrag.');
    expect(mail?.headers.get('content-language')).toBe('de');
  });
});
