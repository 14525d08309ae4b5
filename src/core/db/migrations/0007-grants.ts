import { type Kysely, sql } from 'kysely';
import type { DbKind } from '../database.js';

// Read rights (issue 12, docs/grants.md): which reader may read which device, who granted it and
// when, and when and by whom it was revoked. A grant follows the device, never a key version. A
// revoked grant stays as history; at most one active grant per device and reader.
export function grants(kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('grants')
        // A number, not a generated text id: a million grants are one INSERT … SELECT, and the
        // database numbers them (SQLite: the rowid itself).
        .addColumn('id', kind === 'postgres' ? 'bigserial' : 'integer', (c) => c.primaryKey())
        .addColumn('device_id', 'text', (c) => c.notNull().references('devices.id'))
        .addColumn('reader_id', 'text', (c) => c.notNull().references('users.id'))
        .addColumn('granted_by', 'text', (c) => c.references('users.id'))
        .addColumn('granted_at', 'text', (c) => c.notNull())
        .addColumn('revoked_at', 'text')
        .addColumn('revoked_by', 'text', (c) => c.references('users.id'))
        .execute();
      // One active grant per device and reader (also under a race), and the reader's scope: a
      // reader's device list walks this index, whatever the number of grants.
      await db.schema
        .createIndex('grants_active_reader_device')
        .on('grants')
        .columns(['reader_id', 'device_id'])
        .unique()
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
      // The readers of a device (the list's reader count, the readers dialog, the compromise notice).
      await db.schema
        .createIndex('grants_active_device')
        .on('grants')
        .columns(['device_id', 'reader_id'])
        .where(sql.ref('revoked_at'), 'is', null)
        .execute();
    },
  };
}
