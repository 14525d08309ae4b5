import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

// The user's registered OpenPGP public key (issue 13, docs/downloads.md "OpenPGP"): downloads can be
// encrypted to it. One per user; the armored text as pasted (after the check), its primary key's
// fingerprint and algorithm for the profile page. A public key is no secret: stored as text.
export function openpgpKeys(_kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('openpgp_keys')
        .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
        .addColumn('armored', 'text', (c) => c.notNull())
        .addColumn('fingerprint', 'text', (c) => c.notNull())
        .addColumn('algorithm', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  };
}
