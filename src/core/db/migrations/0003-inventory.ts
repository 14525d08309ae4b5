import { type Kysely, sql } from 'kysely';
import type { DbKind } from '../database.js';

// Inventory (issue 5): customer accounts, devices linked to them, key versions with their
// SP 800-57 state history, and import runs. The foundation created `devices` and `device_keys`
// before anything wrote to them; this migration completes them additively (plus dropping the
// free-text customer number, which a customer account replaces).
export function inventory(kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('customer_accounts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('customer_no', 'text', (c) => c.notNull().unique())
        .addColumn('name', 'text', (c) => c.notNull())
        // Lower-cased name for case-insensitive search on both databases.
        .addColumn('name_search', 'text', (c) => c.notNull())
        .addColumn('contact_email', 'text')
        .addColumn('notes', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('customer_accounts_name_search').on('customer_accounts').column('name_search').execute();

      await db.schema.alterTable('devices').dropColumn('customer_no').execute();
      await db.schema.alterTable('devices').addColumn('customer_account_id', 'text', (c) => c.references('customer_accounts.id')).execute();
      // The import run that created the device: tells "already in the inventory" apart from
      // "an earlier row of the same file" while an import's transaction is open.
      await db.schema.alterTable('devices').addColumn('import_id', 'text').execute();
      await db.schema.alterTable('devices').addColumn('updated_at', 'text').execute();

      await db.schema.alterTable('device_keys').addColumn('key_length', 'integer').execute();
      await db.schema.alterTable('device_keys').addColumn('import_id', 'text').execute();
      await db.schema.alterTable('device_keys').addColumn('state_changed_at', 'text').execute();
      await db.schema.alterTable('device_keys').addColumn('state_reason', 'text').execute();
      // At most one active version per device and key type, whatever the code does.
      await db.schema
        .createIndex('device_keys_one_active')
        .on('device_keys')
        .columns(['device_id', 'key_type'])
        .unique()
        .where(sql.ref('state'), '=', 'active')
        .execute();

      await db.schema
        .createTable('imports')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.references('users.id'))
        .addColumn('file_name', 'text', (c) => c.notNull())
        .addColumn('format', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('new_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('rows_done', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('bytes_total', kind === 'postgres' ? 'bigint' : 'integer')
        .addColumn('bytes_done', kind === 'postgres' ? 'bigint' : 'integer')
        .addColumn('devices_created', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('keys_created', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('error_code', 'text')
        // JSON array of { row?, field, reason } (at most 1,000), and how many there were in all.
        .addColumn('problems', 'text')
        .addColumn('problem_count', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sha256', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('finished_at', 'text')
        .execute();
      await db.schema.createIndex('imports_created').on('imports').column('created_at').execute();

      // DEVICE-LIST INDEXES (owned by the device list; proven by `npm run bench -- devices`).
      await db.schema.createIndex('devices_serial').on('devices').columns(['serial', 'id']).execute();
      await db.schema.createIndex('devices_customer_serial').on('devices').columns(['customer_account_id', 'serial', 'id']).execute();
      // END DEVICE-LIST INDEXES
    },
  };
}
