import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ParsedMail, simpleParser } from 'mailparser';
import { signIn, type SignedIn, type TestApp } from '../harness.js';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { newId } from '../../src/lib/ids.js';

// Helpers for the account tests: users made directly in the database, and the one-time links
// of the mails the service wrote to the development outbox folder or sent over the test SMTP server.

export const goodPassword = 'Zähler-Schlüssel 2026!';
export const otherGoodPassword = 'Wärme-Kälte 7&Wasser';

export async function createActiveUser(
  t: TestApp,
  options: { email: string; password?: string; name?: string | null; language?: 'de' | 'en'; operator?: boolean },
): Promise<string> {
  const now = t.clock.now().toISOString();
  const id = newId('usr');
  await t.container.db.kysely
    .insertInto('users')
    .values({
      id,
      email: options.email.toLowerCase(),
      name: options.name ?? null,
      password_hash: await hashPassword(options.password ?? goodPassword),
      is_operator: options.operator ? 1 : 0,
      status: 'active',
      language: options.language ?? 'en',
      created_at: now,
      updated_at: now,
      email_verified_at: now,
      password_changed_at: now,
    })
    .execute();
  return id;
}

/** A plain user (not an operator, no customer account, no grants), made and signed in with the good password. */
export async function signInNewUser(t: TestApp, email: string): Promise<SignedIn> {
  const userId = await createActiveUser(t, { email });
  return { ...(await signIn(t.app, email, goodPassword)), userId };
}

/**
 * Delivers every mail that is due and waits until none is pending: a round the service kicked
 * on its own after a commit may be the one delivering them (a row turns `stored` or `sent` only
 * after its file is written or the SMTP server took it).
 */
export async function settleOutbox(t: TestApp): Promise<void> {
  await t.container.mailDeliverer.deliverDue();
  for (let waited = 0; ; waited += 10) {
    const pending = await t.container.db.kysely.selectFrom('mail_outbox').select('id').where('status', '=', 'pending').execute();
    if (pending.length === 0) return;
    if (waited > 5000) throw new Error(`${pending.length} mails are still pending`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The newest mail of a template to an address, as its recipient reads it: the row's metadata, and
 * the text and HTML from its .eml file in the development outbox folder (the database keeps no
 * body, and no route answers with one).
 */
export async function outboxMail(t: TestApp, to: string, template?: string) {
  const folder = t.container.outboxFolder;
  if (folder === undefined) throw new Error('mail goes over SMTP in this test: read it from the test SMTP server');
  await settleOutbox(t);
  let q = t.container.db.kysely.selectFrom('mail_outbox').select(['id', 'recipient', 'template', 'language', 'subject', 'status', 'created_at']).where('recipient', '=', to).orderBy('created_at', 'desc').orderBy('id', 'desc');
  if (template !== undefined) q = q.where('template', '=', template);
  const row = await q.executeTakeFirst();
  if (row === undefined) return undefined;
  if (row.status !== 'stored') throw new Error(`mail ${row.id} to ${to} was not written to the outbox folder (${row.status})`);
  const parsed = await simpleParser(await readFile(join(folder, `${row.id}.eml`)));
  return { ...row, text: parsed.text ?? null, html: typeof parsed.html === 'string' ? parsed.html : null };
}

export async function outboxCount(t: TestApp, to: string): Promise<number> {
  const rows = await t.container.db.kysely.selectFrom('mail_outbox').select('id').where('recipient', '=', to).execute();
  return rows.length;
}

/** The token of the first `path#token=…` link in a text (a mail body). */
export function tokenIn(text: string | null | undefined, path: string): string {
  const marker = `${path}#token=`;
  const at = (text ?? '').indexOf(marker);
  const token = at < 0 ? undefined : /^[A-Za-z0-9_-]+/.exec((text ?? '').slice(at + marker.length))?.[0];
  if (!token) throw new Error(`no ${path} link in the mail`);
  return token;
}

export async function outboxToken(t: TestApp, to: string, template: 'activation' | 'password-reset'): Promise<string> {
  const mail = await outboxMail(t, to, template);
  return tokenIn(mail?.text, template === 'activation' ? '/register/complete' : '/password/reset');
}

export function recipientsOf(mail: ParsedMail): string[] {
  const field = mail.to;
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
}

export async function auditOf(t: TestApp, action: string) {
  return t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();
}
