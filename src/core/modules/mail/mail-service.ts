import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import type { Executor } from '../../db/database.js';
import type { Vault } from '../../vault/vault-service.js';
import { sealBody } from './mail-body-crypto.js';
import type { MailLanguage } from './mail-render.js';
import type { MailRepo, MailSummary } from './mail-repo.js';
import { carriesOneTimeLink, type MailTemplateData, type MailTemplateName, renderMail } from './mail-templates.js';

/** One mail to send: the template decides the type of `data`. */
export type MailRequest = {
  [Name in MailTemplateName]: { to: string; template: Name; language: MailLanguage; data: MailTemplateData[Name] };
}[MailTemplateName];

export interface MailPage {
  items: MailSummary[];
  nextCursor: string | null;
}

const maxListLimit = 200;
// One address, no display name, no list: what an account's e-mail looks like after validation.
// Anything else reaching this point is a bug upstream, and must not become extra recipients.
const addressPattern = /^[^\s@,;:<>()[\]\\"]+@[^\s@,;:<>()[\]\\"]+$/;

function encodeCursor(row: Pick<MailSummary, 'created_at' | 'id'>): string {
  return Buffer.from(JSON.stringify([row.created_at, row.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string') {
      return { createdAt: value[0], id: value[1] };
    }
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_failed', 'The cursor is not valid; start again from the first page.', {
    details: [{ field: 'cursor', reason: 'malformed' }],
  });
}

export function createMailService(deps: { repo: Pick<MailRepo, 'insert' | 'list' | 'findById'>; vault: Pick<Vault, 'encrypt' | 'status'>; clock: Clock }) {
  return {
    /**
     * Throws `sealed` while the vault cannot seal bodies. Requests that mail some addresses and
     * not others (registration, forgot password) call it before they look the address up, so a
     * sealed vault is refused alike for every address instead of telling who has an account (SEC-18).
     */
    assertReady(): void {
      const status = deps.vault.status();
      if (status.sealed) throw new AppError('sealed', `The key vault is sealed: ${status.reason ?? status.label}`);
    },

    /**
     * Renders the mail and writes it to the outbox in the caller's transaction, so it exists
     * exactly when the change that caused it commits; its bodies only as vault ciphertext (they
     * may hold one-time links). Nothing is sent here: after the commit the caller kicks the
     * deliverer, which sends it over SMTP or writes it to the development outbox folder.
     */
    async enqueue(request: MailRequest, trx?: Executor): Promise<{ id: string }> {
      const to = request.to.trim();
      if (to.length > 254 || !addressPattern.test(to)) {
        throw new AppError('validation_failed', 'The e-mail address is not valid.', { details: [{ field: 'to', reason: 'invalid e-mail address' }] });
      }
      // The union keeps `data` paired with its template; renderMail checks them together.
      const rendered = renderMail<MailTemplateName>(request.template, request.language, request.data);
      if (rendered.text.includes('#token=') !== carriesOneTimeLink(request.template)) {
        throw new Error(`mail template ${request.template}: whether it carries a one-time link must be declared in mail-templates.ts`);
      }
      const now = deps.clock.now().toISOString();
      const id = newId('mail');
      const bodyText = await sealBody(deps.vault, rendered.text, { mailId: id, column: 'body_text', recipient: to }, trx);
      const bodyHtml = await sealBody(deps.vault, rendered.html, { mailId: id, column: 'body_html', recipient: to }, trx);
      await deps.repo.insert(
        {
          id,
          recipient: to,
          template: request.template,
          language: request.language,
          subject: rendered.subject,
          body_text: bodyText,
          body_html: bodyHtml,
          status: 'pending',
          attempts: 0,
          next_attempt_at: now,
          last_error: null,
          created_at: now,
          sent_at: null,
        },
        trx,
      );
      return { id };
    },

    /** Newest first. `cursor` is the `nextCursor` of the previous page. */
    async list({ limit, cursor }: { limit: number; cursor?: string | undefined }): Promise<MailPage> {
      if (!Number.isInteger(limit) || limit < 1 || limit > maxListLimit) {
        throw new AppError('validation_failed', `The limit must be a whole number from 1 to ${maxListLimit}.`, {
          details: [{ field: 'limit', reason: `1 to ${maxListLimit}` }],
        });
      }
      const before = cursor === undefined ? undefined : decodeCursor(cursor);
      const rows = await deps.repo.list(before ? { limit: limit + 1, before } : { limit: limit + 1 });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    async get(id: string): Promise<MailSummary> {
      const row = await deps.repo.findById(id);
      if (!row) throw new AppError('not_found', `Mail ${id} was not found.`);
      return row;
    },
  };
}

export type MailService = ReturnType<typeof createMailService>;
