import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

// The audit trail for everyone (issue 12 item 4, docs/audit-trail.md): which records concern which
// device, findable by device without a scan of the trail and without a million audit rows for a
// million-device grant.
// - `audit_devices` links a record about one or a few devices (a key state change, a compromise
//   notice, a telegram check) to them, written in the transaction of the record;
// - a grant or revocation covers any number of devices: its `grants` rows name the record instead
//   (`granted_audit_id`, `revoked_audit_id`), set by the same INSERT … SELECT / UPDATE.
// Neither is a chained field: the chain (audit-hash.ts) and `audit verify` are untouched.
export function auditDevices(kind: DbKind) {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('audit_devices')
        .addColumn('audit_seq', kind === 'postgres' ? 'bigint' : 'integer', (c) => c.notNull().references('audit_log.seq'))
        .addColumn('device_id', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('audit_devices_pk', ['audit_seq', 'device_id'])
        .execute();
      // "The records of device X, newest first": one walk of this index backwards.
      await db.schema.createIndex('audit_devices_device').on('audit_devices').columns(['device_id', 'audit_seq']).execute();
      await db.schema.alterTable('grants').addColumn('granted_audit_id', 'text').execute();
      await db.schema.alterTable('grants').addColumn('revoked_audit_id', 'text').execute();
      // Every grant of a device, revoked ones included (the partial indexes of 0007 hold only the
      // active ones): the grant and revoke records of a device.
      await db.schema.createIndex('grants_device_history').on('grants').columns(['device_id', 'id']).execute();
      // A superuser's whole trail walks the records backwards and asks, for a grant record,
      // whether one of its rows lies in his scope.
      await db.schema.createIndex('grants_granted_audit').on('grants').column('granted_audit_id').execute();
      await db.schema.createIndex('grants_revoked_audit').on('grants').column('revoked_audit_id').execute();
    },
  };
}
