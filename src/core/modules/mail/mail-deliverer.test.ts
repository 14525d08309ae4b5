import type { AddressObject } from 'mailparser';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FixedClock } from '../../../../test/support/clock.js';
import { captureLogs } from '../../../../test/support/log-capture.js';
import { startSmtpServer, type TestSmtpServer } from '../../../../test/support/smtp.js';
import { createTestDb, type TestDb } from '../../../../test/support/test-db.js';
import { openTestVault } from '../../../../test/support/test-vault.js';
import type { Vault } from '../../vault/vault-service.js';
import type { Logger } from '../../../lib/logger.js';
import { type Db, openDatabase } from '../../db/database.js';
import { AppError } from '../../../shared/errors.js';
import { createMailDeliverer, createSmtpTransport, type MailTransport } from './mail-deliverer.js';
import { createMailRepo } from './mail-repo.js';
import { maxMailAttempts } from './mail-retry.js';
import { createMailService } from './mail-service.js';

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const setup = { link: 'https://eks.example.com/setup?lang=de&x=1#token=one-time-secret', expiresAt: '2026-11-29T09:00:00.000Z' };

let testDb: TestDb;
let smtp: TestSmtpServer;
let clock: FixedClock;
let vault: Vault;
let closeVault: () => Promise<void>;

beforeEach(async () => {
  testDb = await createTestDb();
  ({ vault, close: closeVault } = await openTestVault(testDb.db));
  smtp = await startSmtpServer();
  clock = new FixedClock();
});
afterEach(async () => {
  await smtp.close();
  await closeVault();
  await testDb.cleanup();
});

function wire(options: { transport?: MailTransport; from?: string; logger?: Logger; db?: Db } = {}) {
  const repo = createMailRepo(options.db ?? testDb.db);
  const service = createMailService({ repo, vault, clock });
  const deliverer = createMailDeliverer({
    repo,
    vault,
    clock,
    delivered: 'sent',
    transport: options.transport ?? createSmtpTransport(smtp.url),
    from: options.from ?? 'openeks <no-reply@example.com>',
    logger: options.logger ?? silent,
  });
  return { repo, service, deliverer };
}

function addresses(field: AddressObject | AddressObject[] | undefined) {
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value);
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mail deliverer over SMTP', () => {
  it('delivers a German mail with sender, recipient, subject, text and HTML, then erases the body', async () => {
    const { service, deliverer } = wire();
    const { id } = await service.enqueue({ to: 'anna@example.com', template: 'operator-setup', language: 'de', data: setup });

    expect(await deliverer.deliverDue()).toEqual({ sent: 1, failed: 0 });
    const [message] = await smtp.waitFor(1);
    expect(addresses(message?.from)).toEqual([{ name: 'openeks', address: 'no-reply@example.com' }]);
    expect(addresses(message?.to)).toEqual([{ name: '', address: 'anna@example.com' }]);
    expect(message?.subject).toBe('openeks: Passwort für Ihren Betreiberzugang festlegen');
    expect(message?.text).toContain(`Passwort festlegen:\n${setup.link}`);
    expect(message?.text).toContain('gültig bis 29. November 2026 um 09:00 UTC');
    expect(message?.html).toContain('href="https://eks.example.com/setup?lang=de&amp;x=1#token=one-time-secret"');
    expect(message?.html).toContain('Sie wurden als Betreiber von openeks eingerichtet.');
    expect(message?.messageId).toBe(`<${id}@example.com>`);
    expect(message?.headers.get('auto-submitted')).toBe('auto-generated');

    const row = await testDb.db.kysely.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'sent', sent_at: clock.now().toISOString(), body_text: null, body_html: null, attempts: 0 });
    expect(row.subject).toBe('openeks: Passwort für Ihren Betreiberzugang festlegen');
  });

  it('delivers an English mail and names the sender "openeks" when the configured address has no name', async () => {
    const { service, deliverer } = wire({ from: 'no-reply@example.com' });
    await service.enqueue({ to: 'bob@example.com', template: 'password-changed', language: 'en', data: { when: '2026-11-28T10:30:00.000Z' } });

    expect(await deliverer.deliverDue()).toEqual({ sent: 1, failed: 0 });
    const [message] = await smtp.waitFor(1);
    expect(addresses(message?.from)).toEqual([{ name: 'openeks', address: 'no-reply@example.com' }]);
    expect(addresses(message?.to)).toEqual([{ name: '', address: 'bob@example.com' }]);
    expect(message?.subject).toBe('openeks: your password was changed');
    expect(message?.text).toContain('The password of your openeks account was set or changed on 28 November 2026 at 10:30 UTC.');
    expect(message?.html).toContain('<html lang="en">');
    expect(message?.html).toContain('If this was not you, please contact an operator of openeks at once.');
  });

  it('sends nothing for a mail enqueued in a transaction that rolled back', async () => {
    const { service, deliverer } = wire();
    await expect(
      testDb.db.kysely.transaction().execute(async (trx) => {
        await service.enqueue({ to: 'anna@example.com', template: 'password-changed', language: 'de', data: { when: clock.now() } }, trx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');

    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 0 });
    await pause(50);
    expect(smtp.messages).toHaveLength(0);
  });

  it('keeps a mail pending with backoff while the server refuses, then delivers it exactly once', async () => {
    const { service, deliverer } = wire();
    smtp.setFailing(true);
    const { id } = await service.enqueue({ to: 'anna@example.com', template: 'operator-setup', language: 'en', data: setup });

    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 1 });
    const failed = await service.get(id);
    expect(failed).toMatchObject({ status: 'pending', attempts: 1, sent_at: null });
    expect(failed.last_error).toContain('451');
    const waiting = await testDb.db.kysely.selectFrom('mail_outbox').select(['body_text', 'body_html']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(waiting.body_text).toMatch(/^oek1\./);
    expect(JSON.stringify(waiting)).not.toContain('one-time-secret');
    const delay = Date.parse(failed.next_attempt_at) - clock.now().getTime();
    expect(delay).toBeGreaterThanOrEqual(54_000);
    expect(delay).toBeLessThanOrEqual(66_000);

    // Not due yet: nobody knocks again.
    clock.advance(50_000);
    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 0 });

    smtp.setFailing(false);
    clock.advance(20_000);
    expect(await deliverer.deliverDue()).toEqual({ sent: 1, failed: 0 });
    await smtp.waitFor(1);
    clock.advance(3_600_000);
    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 0 });
    await pause(50);
    expect(smtp.messages).toHaveLength(1);
    expect(await testDb.db.kysely.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()).toMatchObject({ status: 'sent', attempts: 1, body_text: null, body_html: null });
  });

  it('loses no mail while the server is down and delivers each once when it is back', async () => {
    const { service, deliverer } = wire();
    const port = smtp.port;
    await smtp.close();
    const ids = [
      (await service.enqueue({ to: 'a@example.com', template: 'password-changed', language: 'de', data: { when: clock.now() } })).id,
      (await service.enqueue({ to: 'b@example.com', template: 'password-changed', language: 'en', data: { when: clock.now() } })).id,
    ];

    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 2 });
    clock.advance(70_000);
    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 2 });
    for (const id of ids) {
      const row = await service.get(id);
      expect(row).toMatchObject({ status: 'pending', attempts: 2 });
      expect(row.last_error).toContain('ECONNREFUSED');
      expect(Date.parse(row.next_attempt_at) - clock.now().getTime()).toBeGreaterThanOrEqual(108_000);
    }

    smtp = await startSmtpServer({ port });
    clock.advance(150_000);
    expect(await deliverer.deliverDue()).toEqual({ sent: 2, failed: 0 });
    await smtp.waitFor(2);
    await pause(50);
    expect(smtp.messages.map((m) => addresses(m.to)[0]?.address).sort()).toEqual(['a@example.com', 'b@example.com']);
  });

  it('gives a mail up after its last attempt and erases its body', async () => {
    const { service, deliverer } = wire();
    smtp.setFailing(true);
    const { id } = await service.enqueue({ to: 'anna@example.com', template: 'operator-setup', language: 'en', data: setup });
    await testDb.db.kysely.updateTable('mail_outbox').set({ attempts: maxMailAttempts - 1 }).where('id', '=', id).execute();

    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 1 });
    expect(await testDb.db.kysely.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()).toMatchObject({
      status: 'failed',
      attempts: maxMailAttempts,
      body_text: null,
      body_html: null,
    });
    clock.advance(86_400_000);
    smtp.setFailing(false);
    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 0 });
  });

  it('sends nothing, at once and for good, when the recipient was changed in the database (the bodies are bound to it)', async () => {
    const { service, deliverer } = wire();
    const { id } = await service.enqueue({ to: 'anna@example.com', template: 'operator-setup', language: 'en', data: setup });
    await testDb.db.kysely.updateTable('mail_outbox').set({ recipient: 'eve@example.com' }).where('id', '=', id).execute();

    expect(await deliverer.deliverDue()).toEqual({ sent: 0, failed: 1 });
    expect(await service.get(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'the stored body failed its integrity check (changed, or moved to another mail or recipient)',
    });
    await pause(50);
    expect(smtp.messages).toHaveLength(0);
  });

  it('keeps a mail pending while the vault is sealed, and sends it once the vault opens again', async () => {
    const { service, deliverer } = wire();
    const { id } = await service.enqueue({ to: 'anna@example.com', template: 'password-changed', language: 'en', data: { when: clock.now() } });
    const sealed = createMailDeliverer({
      repo: createMailRepo(testDb.db),
      vault: { decryptMany: async () => Promise.reject(new AppError('sealed', 'The key vault is sealed: master key env:OPENEKS_MASTER_KEY is missing')) },
      clock,
      delivered: 'sent',
      transport: createSmtpTransport(smtp.url),
      from: 'no-reply@example.com',
      logger: silent,
    });
    expect(await sealed.deliverDue()).toEqual({ sent: 0, failed: 1 });
    expect(await service.get(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'sealed The key vault is sealed: master key env:OPENEKS_MASTER_KEY is missing' });
    clock.advance(120_000);
    expect(await deliverer.deliverDue()).toEqual({ sent: 1, failed: 0 });
    await smtp.waitFor(1);
  });

  it('sends each mail once when deliverers on separate connections race for the same outbox', async () => {
    // Four instances sharing one database (on PostgreSQL, four pools: FOR UPDATE SKIP LOCKED at work).
    const others = [openDatabase(testDb.url), openDatabase(testDb.url), openDatabase(testDb.url)];
    try {
      const instances = [wire(), ...others.map((db) => wire({ db }))];
      const count = 40;
      for (let i = 0; i < count; i += 1) {
        await instances[0]?.service.enqueue({ to: `user${i}@example.com`, template: 'password-changed', language: 'en', data: { when: clock.now() } });
      }
      // Connected before the start, so that the first claims really collide.
      await Promise.all([testDb.db, ...others].map((db) => db.ping()));
      const results = await Promise.all(instances.map((instance) => instance.deliverer.deliverDue()));
      expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(count);
      expect(results.reduce((sum, r) => sum + r.failed, 0)).toBe(0);
      await smtp.waitFor(count);
      await pause(100);
      expect(smtp.messages).toHaveLength(count);
      expect(new Set(smtp.messages.map((m) => addresses(m.to)[0]?.address)).size).toBe(count);
      const statuses = await testDb.db.kysely.selectFrom('mail_outbox').select('status').execute();
      expect(statuses.every((r) => r.status === 'sent')).toBe(true);
    } finally {
      await Promise.all(others.map((db) => db.close()));
    }
  });

  it('authenticates with user:pass from the URL and never logs the password', async () => {
    const auth = { user: 'mailer@example.com', pass: 'pa:ss/w@rd%41 secret' };
    const secured = await startSmtpServer({ auth });
    const logs = captureLogs();
    try {
      const { service, deliverer } = wire({ transport: createSmtpTransport(secured.url), logger: logs.logger });
      await service.enqueue({ to: 'anna@example.com', template: 'password-changed', language: 'en', data: { when: clock.now() } });
      expect(await deliverer.deliverDue()).toEqual({ sent: 1, failed: 0 });
      await secured.waitFor(1);

      const wrongUrl = new URL(secured.url);
      wrongUrl.password = encodeURIComponent('not the password');
      const wrong = wire({ transport: createSmtpTransport(wrongUrl), logger: logs.logger });
      const { id } = await wrong.service.enqueue({ to: 'bob@example.com', template: 'password-changed', language: 'en', data: { when: clock.now() } });
      expect(await wrong.deliverer.deliverDue()).toEqual({ sent: 0, failed: 1 });
      const row = await wrong.service.get(id);
      expect(row.last_error).toContain('535');
      expect(row.last_error).not.toContain('not the password');
      expect(logs.text()).toContain('mail not sent; will retry');
      expect(logs.text()).not.toContain(auth.pass);
      expect(logs.text()).not.toContain('not the password');
      expect(logs.text()).not.toContain('anna@example.com');
    } finally {
      await secured.close();
    }
  });

  it('builds transports from smtp:// and smtps:// URLs only', () => {
    expect(createSmtpTransport(new URL('smtps://user:pass@mail.example.com')).transporter.name).toBe('SMTP');
    expect(() => createSmtpTransport(new URL('imap://mail.example.com'))).toThrow(/smtp/);
  });
});

describe('mail deliverer loop', () => {
  it('delivers on kick and waits for the round in progress on stop', async () => {
    const { service, deliverer } = wire();
    deliverer.start({ intervalMs: 3_600_000 });
    const { id } = await service.enqueue({ to: 'anna@example.com', template: 'password-changed', language: 'de', data: { when: clock.now() } });
    deliverer.kick();
    await smtp.waitFor(1);

    const second = await service.enqueue({ to: 'bob@example.com', template: 'password-changed', language: 'en', data: { when: clock.now() } });
    deliverer.kick();
    await deliverer.stop();
    expect((await service.get(id)).status).toBe('sent');
    expect((await service.get(second.id)).status).toBe('sent');
    expect(smtp.messages).toHaveLength(2);

    // Stopped: a kick does nothing.
    const third = await service.enqueue({ to: 'carl@example.com', template: 'password-changed', language: 'en', data: { when: clock.now() } });
    deliverer.kick();
    await pause(100);
    expect((await service.get(third.id)).status).toBe('pending');
  });

  it('delivers what is due when started, on its interval', async () => {
    const { service, deliverer } = wire();
    await service.enqueue({ to: 'anna@example.com', template: 'password-changed', language: 'de', data: { when: clock.now() } });
    deliverer.start({ intervalMs: 20 });
    await smtp.waitFor(1);
    await service.enqueue({ to: 'bob@example.com', template: 'password-changed', language: 'de', data: { when: clock.now() } });
    await smtp.waitFor(2);
    await deliverer.stop();
  });

  it('logs a failing round and keeps going', async () => {
    const error = vi.fn();
    let calls = 0;
    const deliverer = createMailDeliverer({
      repo: {
        claimDue: async () => {
          calls += 1;
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
        },
        markSent: async () => true,
        markAttemptFailed: async () => true,
      },
      vault,
      clock,
      delivered: 'sent',
      transport: { sendMail: async () => undefined },
      from: 'no-reply@example.com',
      logger: { ...silent, error },
    });
    deliverer.start({ intervalMs: 10 });
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(3));
    await deliverer.stop();
    expect(error).toHaveBeenCalledWith({ error: 'ECONNREFUSED connect ECONNREFUSED 127.0.0.1:5432' }, 'mail delivery round failed; will try again');
  });
});
