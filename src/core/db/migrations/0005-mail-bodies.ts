import { type Kysely, sql } from 'kysely';
import type { DbKind } from '../database.js';

/** Why a mail that waited for SMTP at the upgrade was given up. */
export const bodyErasedReason = 'its body was erased at the upgrade to encrypted mail bodies (issue 11); ask for the mail again';

// Issue 11, item 2: mail bodies held one-time links in plain text. From this version on they are
// stored only as vault ciphertext until delivered (modules/mail/mail-body-crypto.ts) and never
// over the API. Migrations never touch key material (SEC-32), so the old plaintext is not sealed
// here but erased, of every row: a mail still waiting for SMTP is given up (`failed`, with the
// reason in last_error), since the deliverer sends only sealed bodies; its link can be asked for again.
export function mailBodies(_kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await sql`update mail_outbox set status = 'failed', last_error = ${bodyErasedReason} where status = 'pending'`.execute(db);
      await sql`update mail_outbox set body_text = null, body_html = null where body_text is not null or body_html is not null`.execute(db);
    },
  };
}
