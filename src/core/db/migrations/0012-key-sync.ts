import { type Kysely, sql } from 'kysely';
import type { DbKind } from '../database.js';

// The key sync for gateways and concentrators (issue 13 flow 10, docs/key-sync.md).
// - `sync_changes` is the change feed: one row per change that can change who reads which active
//   key, appended in the transaction of the change (modules/sync/sync-feed.ts). `device_id` alone:
//   this device changed for everyone; `user_id` alone: this user's whole scope changed; both: this
//   device changed for this user only (a grant, a revocation). Pruned after a retention; `seq`
//   never reused (AUTOINCREMENT on SQLite), so a cursor past the pruned part stays valid.
// - `sync_tokens` is each token's position: the generation of its last answer and the scope it
//   was computed for.
// - `sync_deliveries` is what each token holds: the key versions its answers delivered, each row
//   alive from generation `since_gen` until `until_gen` (null: still held). Rows of the previous
//   generation are kept, so a client that lost an answer and repeats its cursor is served again.
// Token ids are not foreign keys: a revoked token's rows go with it when its sync is reset.
export function keySync(kind: DbKind) {
  const big = kind === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('sync_changes')
        .addColumn('seq', kind === 'postgres' ? 'bigserial' : 'integer', (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
        .addColumn('device_id', 'text')
        .addColumn('user_id', 'text')
        .addColumn('changed_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sync_changes_changed_at').on('sync_changes').column('changed_at').execute();
      // A token reads the rows for everyone and the rows naming its user, each by its own index, so
      // a million-device grant to someone else costs it nothing.
      await db.schema.createIndex('sync_changes_everyone').on('sync_changes').column('seq').where(sql.ref('user_id'), 'is', null).execute();
      await db.schema.createIndex('sync_changes_user').on('sync_changes').columns(['user_id', 'seq']).where(sql.ref('user_id'), 'is not', null).execute();
      await db.schema
        .createTable('sync_tokens')
        .addColumn('token_id', 'text', (c) => c.primaryKey())
        .addColumn('generation', big, (c) => c.notNull())
        .addColumn('full_generation', big, (c) => c.notNull())
        .addColumn('scope_hash', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sync_deliveries')
        .addColumn('token_id', 'text', (c) => c.notNull())
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addColumn('key_type', 'text', (c) => c.notNull())
        .addColumn('key_id', 'text', (c) => c.notNull())
        .addColumn('version', 'integer', (c) => c.notNull())
        .addColumn('since_gen', big, (c) => c.notNull())
        .addColumn('until_gen', big)
        .addPrimaryKeyConstraint('sync_deliveries_pk', ['token_id', 'device_id', 'key_type', 'since_gen'])
        // SQLite: the rows live in the primary key's tree, one tree less to write per delivered key.
        .$call((t) => (kind === 'sqlite' ? t.modifyEnd(sql`without rowid`) : t))
        .execute();
      // A generation's new rows (the audit's devices, a retry's rollback), covering: the audit links
      // never walk the token's other rows.
      await db.schema.createIndex('sync_deliveries_since').on('sync_deliveries').columns(['token_id', 'since_gen', 'device_id']).execute();
      // Partial: only ended rows, so that "what the token holds of these devices" (until_gen is null)
      // walks the primary key and never this index's 100,000 null entries.
      await db.schema.createIndex('sync_deliveries_until').on('sync_deliveries').columns(['token_id', 'until_gen']).where(sql.ref('until_gen'), 'is not', null).execute();
    },
  };
}
