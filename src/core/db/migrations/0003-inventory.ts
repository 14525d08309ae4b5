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
      // Every list sort ends in (serial, id), so one index per filter column serves "filter +
      // sort by serial", and the two sort indexes on nullable columns (model, delivery date) are
      // on COALESCE(col, '') so that absent values page like any other value. PostgreSQL compares
      // the text with the "C" collation (byte order, as SQLite): the same order on both databases,
      // whatever the database's locale, and serial prefixes become index ranges.
      const c = kind === 'postgres' ? ' collate "C"' : '';
      const deviceListIndexes: Record<string, string> = {
        devices_list_serial: `serial${c}, id${c}`,
        devices_list_customer: `customer_account_id, serial${c}, id${c}`,
        devices_list_order: `order_no${c}, serial${c}, id${c}`,
        devices_list_delivery_note: `delivery_note${c}, serial${c}, id${c}`,
        devices_list_medium: `medium, serial${c}, id${c}`,
        devices_list_model: `(coalesce(model, '')${c}), serial${c}, id${c}`,
        devices_list_delivered: `(coalesce(delivery_date, '')${c}), serial${c}, id${c}`,
      };
      for (const [name, columns] of Object.entries(deviceListIndexes)) await sql.raw(`create index ${name} on devices (${columns})`).execute(db);
      // Concentrators are a fraction of a percent of the devices: a small partial index finds them.
      await sql.raw(`create index devices_list_concentrators on devices (serial${c}, id${c}) where kind = 'concentrator'`).execute(db);
      // Sort by customer number walks the accounts in that order (SQLite: its unique index already).
      if (kind === 'postgres') await sql.raw(`create index devices_list_customer_no on customer_accounts (customer_no${c})`).execute(db);
      // END DEVICE-LIST INDEXES
    },
  };
}
