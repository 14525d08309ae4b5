import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../../test/support/test-db.js';
import { bodyErasedReason, mailBodies } from './0005-mail-bodies.js';

// Rows written before bodies were sealed: their plaintext goes, and a mail that still waited for
// SMTP is given up with the reason (the deliverer sends only sealed bodies).
let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => testDb.cleanup());

const row = (id: string, status: 'pending' | 'sent' | 'stored' | 'failed', body: string | null) => ({
  id,
  recipient: `${id}@example.com`,
  template: 'password-reset',
  language: 'en' as const,
  subject: 'openeks: set a new password',
  body_text: body,
  body_html: body === null ? null : `<p>${body}</p>`,
  status,
  attempts: 0,
  next_attempt_at: '2026-11-28T09:00:00.000Z',
  last_error: null,
  created_at: '2026-11-28T09:00:00.000Z',
  sent_at: status === 'sent' ? '2026-11-28T09:00:01.000Z' : null,
});

describe('migration 0005-mail-bodies', () => {
  it('erases every plaintext body and gives up the mails that still waited for SMTP', async () => {
    const link = 'http://localhost:8080/password/reset#token=Wopb5Xp6cfSkgYqQILRLH8w93blzpMAZs5nRi3o8SZQ';
    await testDb.db.kysely
      .insertInto('mail_outbox')
      .values([row('mail_stored', 'stored', link), row('mail_pending', 'pending', link), row('mail_sent', 'sent', null), row('mail_failed', 'failed', null)])
      .execute();
    // As if these rows were written before the upgrade: the migration runs again over them (by
    // itself: later migrations are recorded, and the migrator refuses to run one out of order).
    await mailBodies(testDb.db.kind).up(testDb.db.kysely as unknown as Kysely<unknown>);
    const rows = await testDb.db.kysely.selectFrom('mail_outbox').select(['id', 'status', 'body_text', 'body_html', 'last_error', 'sent_at']).orderBy('id').execute();
    expect(rows).toEqual([
      { id: 'mail_failed', status: 'failed', body_text: null, body_html: null, last_error: null, sent_at: null },
      { id: 'mail_pending', status: 'failed', body_text: null, body_html: null, last_error: bodyErasedReason, sent_at: null },
      { id: 'mail_sent', status: 'sent', body_text: null, body_html: null, last_error: null, sent_at: '2026-11-28T09:00:01.000Z' },
      { id: 'mail_stored', status: 'stored', body_text: null, body_html: null, last_error: null, sent_at: null },
    ]);
  });
});
