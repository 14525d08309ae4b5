import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../test/support/clock.js';
import { createTestDb, type TestDb } from '../../../../test/support/test-db.js';
import { openTestVault } from '../../../../test/support/test-vault.js';
import { AppError } from '../../../shared/errors.js';
import type { Vault } from '../../vault/vault-service.js';
import { createMailDeliverer } from './mail-deliverer.js';
import { openBody } from './mail-body-crypto.js';
import { createMailRepo } from './mail-repo.js';
import { createMailService } from './mail-service.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const setup = { link: 'https://eks.example.com/setup#token=secret-token', expiresAt: '2026-11-29T09:00:00.000Z' };

let testDb: TestDb;
let vault: Vault;
let closeVault: () => Promise<void>;
beforeAll(async () => {
  testDb = await createTestDb();
  ({ vault, close: closeVault } = await openTestVault(testDb.db));
});
afterAll(async () => {
  await closeVault();
  await testDb.cleanup();
});

const rowOf = (id: string) => testDb.db.kysely.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

async function expectAppError(promise: Promise<unknown>, code: string): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
}

describe('mail service', () => {
  it('stores the bodies only as vault ciphertext bound to the row, and never hands them out', async () => {
    const clock = new FixedClock();
    const repo = createMailRepo(testDb.db);
    const mail = createMailService({ repo, vault, clock });
    const { id } = await mail.enqueue({ to: 'ops@example.com', template: 'operator-setup', language: 'de', data: setup });

    const summary = await mail.get(id);
    expect(summary).toEqual({
      id,
      recipient: 'ops@example.com',
      template: 'operator-setup',
      language: 'de',
      subject: 'openeks: Passwort für Ihren Betreiberzugang festlegen',
      status: 'pending',
      attempts: 0,
      next_attempt_at: clock.now().toISOString(),
      last_error: null,
      created_at: clock.now().toISOString(),
      sent_at: null,
    });
    expect((await mail.list({ limit: 200 })).items.every((item) => !('body_text' in item) && !('body_html' in item))).toBe(true);

    const row = await rowOf(id);
    expect(row.body_text).toMatch(/^oek1\.A256GCM\.dk_[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
    expect((row.body_html ?? '').split(' ').every((part) => part.startsWith('oek1.A256GCM.dk_'))).toBe(true);
    expect(`${row.body_text ?? ''}${row.body_html ?? ''}`).not.toContain('secret-token');
    const text = await openBody(vault, row.body_text ?? '', { mailId: id, column: 'body_text', recipient: 'ops@example.com' });
    expect(text).toContain(`Passwort festlegen:\n${setup.link}\n`);
    // Bound to its row, column and recipient.
    await expectAppError(openBody(vault, row.body_text ?? '', { mailId: 'mail_other', column: 'body_text', recipient: 'ops@example.com' }), 'key_integrity');
    await expectAppError(openBody(vault, row.body_text ?? '', { mailId: id, column: 'body_html', recipient: 'ops@example.com' }), 'key_integrity');
    await expectAppError(openBody(vault, row.body_text ?? '', { mailId: id, column: 'body_text', recipient: 'eve@example.com' }), 'key_integrity');
  });

  it('cuts a body larger than the vault takes at once into parts: none may be dropped, moved or swapped', async () => {
    const clock = new FixedClock();
    const mail = createMailService({ repo: createMailRepo(testDb.db), vault, clock });
    const requests = Array.from({ length: 60 }, (_, i) => ({ requester: `händler-${i}@example.com`, customerNo: `${4700 + i}`, customerName: `Stadtwerke Nummer ${i} GmbH & Co. KG`, relation: 'dealer' as const }));
    const { id } = await mail.enqueue({ to: 'ops@example.com', template: 'access-requests-new', language: 'de', data: { requests, link: 'https://eks.example.com/access-requests' } });
    const row = await rowOf(id);
    const parts = (row.body_html ?? '').split(' ');
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const where = { mailId: id, column: 'body_html' as const, recipient: 'ops@example.com' };
    const html = await openBody(vault, row.body_html ?? '', where);
    expect(html).toContain('händler-59@example.com (Händler) für 4759 · Stadtwerke Nummer 59 GmbH &amp; Co. KG');
    expect(html.endsWith('</html>\n')).toBe(true);
    await expectAppError(openBody(vault, parts.slice(0, -1).join(' '), where), 'key_integrity');
    await expectAppError(openBody(vault, [parts[1], parts[0], ...parts.slice(2)].join(' '), where), 'key_integrity');
  });

  it('refuses a mail whose text holds a one-time link when its template is not declared to carry one', async () => {
    const mail = createMailService({ repo: createMailRepo(testDb.db), vault, clock: new FixedClock() });
    await expect(
      mail.enqueue({ to: 'ops@example.com', template: 'access-requests-new', language: 'en', data: { requests: [], link: 'https://eks.example.com/access-requests#token=abc' } }),
    ).rejects.toThrow('mail template access-requests-new: whether it carries a one-time link must be declared in mail-templates.ts');
  });

  it('leaves the mail pending for the deliverer; once delivered, its bodies are gone', async () => {
    const clock = new FixedClock();
    const repo = createMailRepo(testDb.db);
    const mail = createMailService({ repo, vault, clock });
    const { id } = await mail.enqueue({ to: 'user@example.com', template: 'password-changed', language: 'en', data: { when: clock.now() } });
    expect(await mail.get(id)).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: clock.now().toISOString() });
    const sent: unknown[] = [];
    const deliverer = createMailDeliverer({ repo, vault, clock, transport: { sendMail: async (m: unknown) => sent.push(m) }, delivered: 'stored', from: 'no-reply@example.com', logger: silent });
    expect((await deliverer.deliverDue()).sent).toBeGreaterThanOrEqual(1);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(await mail.get(id)).toMatchObject({ status: 'stored', sent_at: null });
    expect(await rowOf(id)).toMatchObject({ body_text: null, body_html: null });
  });

  it('writes in the caller transaction: a rollback leaves no mail', async () => {
    const clock = new FixedClock();
    const mail = createMailService({ repo: createMailRepo(testDb.db), vault, clock });
    let id = '';
    await expect(
      testDb.db.kysely.transaction().execute(async (trx) => {
        ({ id } = await mail.enqueue({ to: 'user@example.com', template: 'password-changed', language: 'en', data: { when: clock.now() } }, trx));
        expect((await trx.selectFrom('mail_outbox').select('id').where('id', '=', id).execute()).length).toBe(1);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await expectAppError(mail.get(id), 'not_found');
  });

  it('refuses anything but a single plain address as recipient', async () => {
    const mail = createMailService({ repo: createMailRepo(testDb.db), vault, clock: new FixedClock() });
    for (const to of ['a@example.com, b@example.com', 'Eve <eve@example.com>', 'a@example.com\r\nBcc: b@example.com', 'no-at-sign', '']) {
      await expectAppError(mail.enqueue({ to, template: 'password-changed', language: 'en', data: { when: '2026-11-28T09:00:00.000Z' } }), 'validation_failed');
    }
  });

  it('answers not_found for an unknown id', async () => {
    const mail = createMailService({ repo: createMailRepo(testDb.db), vault, clock: new FixedClock() });
    await expectAppError(mail.get('mail_unknown'), 'not_found');
  });

  it('lists newest first, page by page with a cursor', async () => {
    const { db, cleanup } = await createTestDb();
    const own = await openTestVault(db);
    try {
      const clock = new FixedClock();
      const mail = createMailService({ repo: createMailRepo(db), vault: own.vault, clock });
      for (let i = 0; i < 23; i += 1) {
        // Pairs share a timestamp, so the id breaks ties.
        if (i % 2 === 0) clock.advance(1000);
        await mail.enqueue({ to: `user${i}@example.com`, template: 'password-changed', language: i % 2 ? 'de' : 'en', data: { when: clock.now() } });
      }
      // The database's own order in one page: its collation decides ties between ids.
      const expected = (await mail.list({ limit: 200 })).items.map((r) => r.id);
      expect(new Set(expected).size).toBe(23);
      const seen: string[] = [];
      const sizes: number[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await mail.list({ limit: 10, cursor });
        sizes.push(page.items.length);
        seen.push(...page.items.map((r) => r.id));
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      expect(sizes).toEqual([10, 10, 3]);
      expect(seen).toEqual(expected);
      const times = (await mail.list({ limit: 200 })).items.map((r) => r.created_at);
      expect([...times].sort().reverse()).toEqual(times);

      const exact = await mail.list({ limit: 23 });
      expect(exact.items).toHaveLength(23);
      expect(exact.nextCursor).toBeNull();
    } finally {
      await own.close();
      await cleanup();
    }
  });

  it('rejects a malformed cursor and an out-of-range limit', async () => {
    const mail = createMailService({ repo: createMailRepo(testDb.db), vault, clock: new FixedClock() });
    await expectAppError(mail.list({ limit: 10, cursor: 'not-a-cursor' }), 'validation_failed');
    await expectAppError(mail.list({ limit: 10, cursor: Buffer.from('{"a":1}').toString('base64url') }), 'validation_failed');
    await expectAppError(mail.list({ limit: 0 }), 'validation_failed');
    await expectAppError(mail.list({ limit: 201 }), 'validation_failed');
  });
});
