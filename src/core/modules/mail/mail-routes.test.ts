import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, asSystem, type SignedIn, type TestApp } from '../../../../test/harness.js';
import { settleOutbox } from '../../../../test/support/accounts.js';

let t: TestApp;
let op: SignedIn;
beforeAll(async () => {
  t = await createTestApp();
  op = await t.signInOperator('boss@example.com');
  for (let i = 0; i < 3; i += 1) {
    t.clock.advance(1000);
    await t.container.operatorSetup.createOperator({ email: `new${i}@example.com`, ...asSystem, language: i % 2 ? 'de' : 'en' });
  }
});
afterAll(async () => t.close());

describe('the development outbox', () => {
  it('lists mail newest first with a working cursor', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/api/mail/outbox?limit=2', headers: { cookie: op.cookie } });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((m: { recipient: string }) => m.recipient)).toEqual(['new2@example.com', 'new1@example.com']);
    expect(page1.items[1]).toMatchObject({ template: 'operator-setup', language: 'de', oneTimeLink: true });
    expect(Object.keys(page1.items[0]).sort()).toEqual(['attempts', 'createdAt', 'id', 'language', 'oneTimeLink', 'recipient', 'sentAt', 'status', 'subject', 'template']);
    const second = await t.app.inject({ method: 'GET', url: `/api/mail/outbox?limit=2&cursor=${page1.nextCursor}`, headers: { cookie: op.cookie } });
    // boss@ has three mails from the same instant (setup, password-changed, two-factor-changed): in any order.
    expect(second.json().items.map((m: { recipient: string }) => m.recipient)).toEqual(['new0@example.com', 'boss@example.com']);
    const third = await t.app.inject({ method: 'GET', url: `/api/mail/outbox?limit=2&cursor=${second.json().nextCursor}`, headers: { cookie: op.cookie } });
    expect(third.json().items.map((m: { recipient: string }) => m.recipient)).toEqual(['boss@example.com', 'boss@example.com']);
  });

  it('opens one mail: its metadata and last error, never its body, and audits the reading', async () => {
    // settleOutbox, not deliverDue: the round kicked after each enqueue may hold the newest mail
    // (skipped as locked on PostgreSQL) while deliverDue returns.
    await settleOutbox(t);
    const list = (await t.app.inject({ method: 'GET', url: '/api/mail/outbox?limit=1', headers: { cookie: op.cookie } })).json();
    const id = list.items[0].id as string;
    const res = await t.app.inject({ method: 'GET', url: `/api/mail/outbox/${id}`, headers: { cookie: op.cookie } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      id,
      recipient: 'new2@example.com',
      subject: 'openeks: set the password for your operator account',
      template: 'operator-setup',
      language: 'en',
      status: 'stored',
      attempts: 0,
      createdAt: '2026-11-28T09:00:03.000Z',
      sentAt: null,
      oneTimeLink: true,
      lastError: null,
    });
    expect(res.body).not.toContain('token');
    const audit = await t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', 'mail.read').execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_id: op.userId, target_type: 'mail', target_id: id, result: 'allowed' });
  });

  it('names the last delivery error of a mail, and says which mails held no one-time link', async () => {
    const [notice] = await t.container.db.kysely.selectFrom('mail_outbox').select('id').where('template', '=', 'password-changed').execute();
    if (!notice) throw new Error('no password-changed mail');
    await t.container.db.kysely.updateTable('mail_outbox').set({ status: 'failed', attempts: 30, last_error: 'EENVELOPE 550 mailbox unavailable' }).where('id', '=', notice.id).execute();
    const res = await t.app.inject({ method: 'GET', url: `/api/mail/outbox/${notice.id}`, headers: { cookie: op.cookie } });
    expect(res.json()).toMatchObject({ template: 'password-changed', status: 'failed', attempts: 30, oneTimeLink: false, lastError: 'EENVELOPE 550 mailbox unavailable' });
  });

  it('answers not_found for an unknown mail and validation_failed for a bad cursor', async () => {
    const missing = await t.app.inject({ method: 'GET', url: '/api/mail/outbox/mail_nothinghere', headers: { cookie: op.cookie } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.code).toBe('not_found');
    const bad = await t.app.inject({ method: 'GET', url: '/api/mail/outbox?cursor=%%%', headers: { cookie: op.cookie } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details[0].field).toBe('cursor');
  });
});
