import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, type TestApp } from '../../../../test/harness.js';
import { recipientsOf, settleOutbox } from '../../../../test/support/accounts.js';
import { envVar } from '../../../lib/env-vars.js';

// Without SMTP, each mail is written to the development outbox folder as an .eml file (RFC 5322)
// that only the service's own user can read; the database keeps its metadata, never its body.

let t: TestApp;
let root: string;
let folder: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'openeks-outbox-'));
  folder = join(root, 'data', 'outbox');
  t = await createTestApp({ env: { [envVar.outboxDir]: folder } });
});
afterAll(async () => {
  await t?.close();
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('the development outbox folder', () => {
  it('holds each mail as an .eml file of mode 0600 in a folder of mode 0700, and the database no body', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/registrations', payload: { email: 'neu@example.com', language: 'de' } });
    expect(res.statusCode).toBe(202);
    await settleOutbox(t);

    const row = await t.container.db.kysely.selectFrom('mail_outbox').selectAll().where('recipient', '=', 'neu@example.com').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ template: 'activation', language: 'de', status: 'stored', body_text: null, body_html: null, attempts: 0, sent_at: null });
    expect(await readdir(folder)).toEqual([`${row.id}.eml`]);
    const file = join(folder, `${row.id}.eml`);
    expect(await modeOf(folder)).toBe(0o700);
    expect(await modeOf(file)).toBe(0o600);

    const raw = await readFile(file);
    expect(raw.toString('utf8').replace(/\r\n/g, '')).not.toContain('\n');
    const mail = await simpleParser(raw);
    expect(recipientsOf(mail)).toEqual(['neu@example.com']);
    expect(mail.subject).toBe('openeks: Aktivieren Sie Ihr Benutzerkonto');
    expect(mail.messageId).toBe(`<${row.id}@localhost>`);
    expect(mail.text).toMatch(/Registrierung abschließen:\nhttp:\/\/localhost:8080\/register\/complete#token=[A-Za-z0-9_-]{43}\n/);
    expect(mail.html).toContain('href="http://localhost:8080/register/complete#token=');
  });

  it('tightens a folder others could read, with a warning', async () => {
    await chmod(folder, 0o755);
    await t.container.operatorSetup.createOperator({ email: 'ops@example.com', ...asSystem });
    await settleOutbox(t);
    expect(await modeOf(folder)).toBe(0o700);
    expect(t.logs()).toContain('the outbox folder was readable by others; set to 0700');
    expect(t.logs()).not.toContain('token=');
  });

  it('writes nothing for a change that rolled back', async () => {
    const before = await readdir(folder);
    await expect(
      t.container.db.kysely.transaction().execute(async (trx) => {
        await t.container.mail.enqueue({ to: 'niemand@example.com', template: 'password-changed', language: 'de', data: { when: t.clock.now() } }, trx);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await t.container.mailDeliverer.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect(await readdir(folder)).toEqual(before);
  });
});
