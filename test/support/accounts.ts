import type { ParsedMail } from 'mailparser';
import { signIn, type SignedIn, type TestApp } from '../harness.js';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { newId } from '../../src/lib/ids.js';

// Helpers for the account tests: users made directly in the database, and the one-time links
// of the mails the service queued (outbox mode) or sent (over the test SMTP server).

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

/** The newest mail of a template to an address, from the outbox table. */
export async function outboxMail(t: TestApp, to: string, template?: string) {
  let q = t.container.db.kysely.selectFrom('mail_outbox').selectAll().where('recipient', '=', to).orderBy('created_at', 'desc').orderBy('id', 'desc');
  if (template !== undefined) q = q.where('template', '=', template);
  return q.executeTakeFirst();
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
  return tokenIn(mail?.body_text, template === 'activation' ? '/register/complete' : '/password/reset');
}

export function recipientsOf(mail: ParsedMail): string[] {
  const field = mail.to;
  return (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
}

export async function auditOf(t: TestApp, action: string) {
  return t.container.db.kysely.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('seq').execute();
}
