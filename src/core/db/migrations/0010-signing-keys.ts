import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

// Issue 13: every download and every key-sync answer is signed with the service's Ed25519 key
// (docs/downloads.md "The signing key"). The private key is stored only as a vault envelope, so
// the database alone cannot sign; the public key is stored in clear and published at
// /.well-known/openeks-signing-key even while the vault is sealed. One row per key; the newest
// row without `retired_at` signs (a rotation adds a row and retires the old one).
export function signingKeys(_kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('signing_keys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('public_pem', 'text', (c) => c.notNull())
        .addColumn('private_ciphertext', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('retired_at', 'text')
        .execute();
    },
  };
}
