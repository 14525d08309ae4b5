import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

// Downloads (issue 13, docs/downloads.md "Downloading"): one row per export, so that the web
// dialog can poll "rows written / total" and an operator sees which exports ran, for whom, and
// which failed. `rows_written` grows in the transaction that audits each chunk of devices, so it
// never counts a device whose audit record is not committed. The devices themselves are linked
// to the chunks' `keys.export` records in `audit_devices` (0008), not here.
export function exports(kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('exports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // The person or the token's user; null: the CLI.
        .addColumn('user_id', 'text', (c) => c.references('users.id'))
        .addColumn('token_id', 'text')
        .addColumn('format', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('total', kind === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull())
        .addColumn('rows_written', kind === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull().defaultTo(0))
        // The left-out counts by reason (src/shared/api/exports.ts LeftOutView), as JSON text.
        .addColumn('left_out', 'text', (c) => c.notNull())
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .addColumn('error', 'text')
        .execute();
      await db.schema.createIndex('exports_user').on('exports').columns(['user_id', 'created_at']).execute();
    },
  };
}
