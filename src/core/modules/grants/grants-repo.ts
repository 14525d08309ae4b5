import { type SelectQueryBuilder, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { Database } from '../../db/schema.js';

// Grants, set-based (docs/grants.md): assigning or revoking a selection is one statement over the
// selection's subquery, whatever its size — never a round trip per device.

/** A subquery yielding device ids (devices-repo `selectionIds`). */
export type DeviceIdQuery = SelectQueryBuilder<Database, 'devices', { id: string }>;

export interface ReaderRow {
  reader_id: string;
  email: string;
  name: string | null;
  status: 'pending' | 'active' | 'disabled';
  devices: number;
  since: string;
}

export function createGrantsRepo(db: Executor) {
  return {
    /**
     * One `INSERT … SELECT`: an active grant to `readerId` for every selected device that does
     * not have one yet. Returns how many rows were inserted. The partial unique index refuses a
     * twin that a concurrent request inserted meanwhile (the caller's transaction then fails).
     */
    async grant(input: { devices: DeviceIdQuery; readerId: string; grantedBy: string | null; at: string; auditId: string }, trx: Executor): Promise<number> {
      const rows = input.devices
        .clearSelect()
        .select([
          'devices.id as device_id',
          sql<string>`${input.readerId}`.as('reader_id'),
          sql<string | null>`${input.grantedBy}`.as('granted_by'),
          sql<string>`${input.at}`.as('granted_at'),
          sql<string>`${input.auditId}`.as('granted_audit_id'),
        ])
        .where(sql<boolean>`not exists (select 1 from grants g where g.device_id = ${sql.ref('devices.id')} and g.reader_id = ${input.readerId} and g.revoked_at is null)`);
      const result = await trx.insertInto('grants').columns(['device_id', 'reader_id', 'granted_by', 'granted_at', 'granted_audit_id']).expression(rows).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0);
    },

    /** One `UPDATE … WHERE`: revokes the reader's active grants on the devices (all of them: `devices` null). */
    async revoke(input: { devices: DeviceIdQuery | null; readerId: string; revokedBy: string | null; at: string; auditId: string }, trx: Executor): Promise<number> {
      let q = trx.updateTable('grants').set({ revoked_at: input.at, revoked_by: input.revokedBy, revoked_audit_id: input.auditId }).where('reader_id', '=', input.readerId).where('revoked_at', 'is', null);
      if (input.devices !== null) q = q.where('device_id', 'in', input.devices);
      const result = await q.executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    /** The reader's active grants (all devices); 0 means a pending invitation grants nothing any more. */
    async activeCount(readerId: string, trx: Executor = db): Promise<number> {
      const row = await trx
        .selectFrom('grants')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('reader_id', '=', readerId)
        .where('revoked_at', 'is', null)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },

    /** The readers of the selected devices, with how many of them each reads and since when. */
    readersOf(devices: DeviceIdQuery, trx: Executor = db): Promise<ReaderRow[]> {
      return trx
        .selectFrom('grants')
        .innerJoin('users', 'users.id', 'grants.reader_id')
        .select(['grants.reader_id', 'users.email', 'users.name', 'users.status', (eb) => eb.fn.countAll<number>().as('devices'), (eb) => eb.fn.min('grants.granted_at').as('since')])
        .where('grants.revoked_at', 'is', null)
        .where('grants.device_id', 'in', devices)
        .groupBy(['grants.reader_id', 'users.email', 'users.name', 'users.status'])
        .orderBy('users.email')
        .execute() as Promise<ReaderRow[]>;
    },

    /** Who granted the reader's earliest active grant among the selected devices. */
    async firstGrantor(readerId: string, devices: DeviceIdQuery, trx: Executor = db): Promise<{ email: string; name: string | null } | null> {
      const row = await trx
        .selectFrom('grants')
        .leftJoin('users', 'users.id', 'grants.granted_by')
        .select(['users.email', 'users.name'])
        .where('grants.reader_id', '=', readerId)
        .where('grants.revoked_at', 'is', null)
        .where('grants.device_id', 'in', devices)
        .orderBy('grants.granted_at')
        .orderBy('grants.id')
        .limit(1)
        .executeTakeFirst();
      return row?.email ? { email: row.email, name: row.name } : null;
    },

    /** The readers (active accounts) of a device, for the compromise notice. */
    readersOfDevice(deviceId: string, trx: Executor = db) {
      return trx
        .selectFrom('grants')
        .innerJoin('users', 'users.id', 'grants.reader_id')
        .select(['users.id', 'users.email', 'users.language'])
        .where('grants.device_id', '=', deviceId)
        .where('grants.revoked_at', 'is', null)
        .where('users.status', '=', 'active')
        .execute();
    },

    /** How a mail names a device: manufacturer and serial. */
    async deviceLabel(deviceId: string, trx: Executor = db): Promise<string> {
      const row = await trx.selectFrom('devices').select(['manufacturer', 'serial']).where('id', '=', deviceId).executeTakeFirst();
      return row ? `${row.manufacturer} ${row.serial}` : deviceId;
    },

    /** Every active grant of a reader (the CLI's `grants list`), by device serial. */
    listOf(readerId: string, trx: Executor = db) {
      return trx
        .selectFrom('grants')
        .innerJoin('devices', 'devices.id', 'grants.device_id')
        .leftJoin('users', 'users.id', 'grants.granted_by')
        .select(['devices.id', 'devices.manufacturer', 'devices.serial', 'grants.granted_at', 'users.email as granted_by'])
        .where('grants.reader_id', '=', readerId)
        .where('grants.revoked_at', 'is', null)
        .orderBy('devices.serial')
        .orderBy('devices.id')
        .execute();
    },
  };
}

export type GrantsRepo = ReturnType<typeof createGrantsRepo>;
