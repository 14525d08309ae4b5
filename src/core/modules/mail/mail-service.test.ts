import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../../test/support/clock.js';
import { createTestDb, type TestDb } from '../../../../test/support/test-db.js';
import { AppError } from '../../../shared/errors.js';
import { createMailDeliverer } from './mail-deliverer.js';
import { createMailRepo } from './mail-repo.js';
import { createMailService } from './mail-service.js';

const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
const setup = { link: 'https://eks.example.com/setup#token=secret-token', expiresAt: '2026-11-29T09:00:00.000Z' };

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  await testDb.cleanup();
});

async function expectAppError(promise: Promise<unknown>, code: string): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
}

describe('mail service', () => {
  it('in outbox mode stores the mail for operators and sends nothing', async () => {
    const clock = new FixedClock();
    const repo = createMailRepo(testDb.db);
    const mail = createMailService({ repo, clock, mode: 'outbox' });
    const { id } = await mail.enqueue({ to: 'ops@example.com', template: 'operator-setup', language: 'de', data: setup });

    const row = await mail.get(id);
    expect(row).toMatchObject({ id, recipient: 'ops@example.com', template: 'operator-setup', language: 'de', status: 'stored', attempts: 0, sent_at: null });
    expect(row.subject).toBe('openeks: Passwort für Ihren Betreiberzugang festlegen');
    expect(row.body_text).toContain(setup.link);
    expect(row.body_html).toContain(setup.link);
    expect(row.created_at).toBe(clock.now().toISOString());

    const sent: unknown[] = [];
    const deliverer = createMailDeliverer({ repo, clock, transport: { sendMail: async (m: unknown) => sent.push(m) }, from: 'no-reply@example.com', logger: silent });
    clock.advance(3_600_000);
    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect(sent).toEqual([]);
    expect((await mail.get(id)).status).toBe('stored');
  });

  it('in smtp mode leaves the mail pending for the deliverer', async () => {
    const clock = new FixedClock();
    const mail = createMailService({ repo: createMailRepo(testDb.db), clock, mode: 'smtp' });
    const { id } = await mail.enqueue({ to: 'user@example.com', template: 'password-changed', language: 'en', data: { when: clock.now() } });
    expect(await mail.get(id)).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: clock.now().toISOString() });
  });

  it('writes in the caller transaction: a rollback leaves no mail', async () => {
    const clock = new FixedClock();
    const mail = createMailService({ repo: createMailRepo(testDb.db), clock, mode: 'smtp' });
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
    const mail = createMailService({ repo: createMailRepo(testDb.db), clock: new FixedClock(), mode: 'smtp' });
    for (const to of ['a@example.com, b@example.com', 'Eve <eve@example.com>', 'a@example.com\r\nBcc: b@example.com', 'no-at-sign', '']) {
      await expectAppError(mail.enqueue({ to, template: 'password-changed', language: 'en', data: { when: '2026-11-28T09:00:00.000Z' } }), 'validation_failed');
    }
  });

  it('answers not_found for an unknown id', async () => {
    const mail = createMailService({ repo: createMailRepo(testDb.db), clock: new FixedClock(), mode: 'outbox' });
    await expectAppError(mail.get('mail_unknown'), 'not_found');
  });

  it('lists newest first, page by page with a cursor', async () => {
    const { db, cleanup } = await createTestDb();
    try {
      const clock = new FixedClock();
      const mail = createMailService({ repo: createMailRepo(db), clock, mode: 'outbox' });
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
      await cleanup();
    }
  });

  it('rejects a malformed cursor and an out-of-range limit', async () => {
    const mail = createMailService({ repo: createMailRepo(testDb.db), clock: new FixedClock(), mode: 'outbox' });
    await expectAppError(mail.list({ limit: 10, cursor: 'not-a-cursor' }), 'validation_failed');
    await expectAppError(mail.list({ limit: 10, cursor: Buffer.from('{"a":1}').toString('base64url') }), 'validation_failed');
    await expectAppError(mail.list({ limit: 0 }), 'validation_failed');
    await expectAppError(mail.list({ limit: 201 }), 'validation_failed');
  });
});
