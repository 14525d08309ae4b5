import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

// Issue 11, finding 3: the audit chain was plain SHA-256, so whoever could write the database
// could recompute it. From this version on records are MACed with a chain key that only the
// vault can open (modules/audit/README.md). `audit_chain_keys` holds that key's secret as a vault
// envelope, one row per key epoch; `audit_log.key_epoch` names the epoch a record was MACed
// under, null for a record hashed with SHA-256 (written before this version or while the vault
// was sealed). Existing records are not touched: the append-only triggers forbid it, and they
// stay pinned by the first keyed record after them.
export function auditKeys(_kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('audit_chain_keys')
        .addColumn('epoch', 'integer', (c) => c.primaryKey())
        .addColumn('ciphertext', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.alterTable('audit_log').addColumn('key_epoch', 'integer').execute();
    },
  };
}
