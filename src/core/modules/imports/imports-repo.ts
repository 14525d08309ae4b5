import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DeviceKeysTable, DevicesTable, ImportsTable } from '../../db/schema.js';

// Every query of an import: its own row in `imports`, and the lookups and multi-row writes of its
// batches (import-batch.ts). The batch methods run inside the import's long transaction, on
// whatever connection it has (db/long-transaction.ts); the transaction is always the last argument.

export type ImportRecord = Selectable<ImportsTable>;
export type NewImport = Insertable<ImportsTable>;
/** The fields of a finished import, succeeded or failed. */
export type ImportOutcome = Pick<
  Updateable<ImportsTable>,
  'status' | 'format' | 'rows_done' | 'bytes_done' | 'devices_created' | 'keys_created' | 'error_code' | 'problems' | 'problem_count' | 'sha256' | 'finished_at'
>;

export function createImportsRepo(db: Executor) {
  return {
    async insert(row: NewImport, trx: Executor = db): Promise<void> {
      await trx.insertInto('imports').values(row).execute();
    },

    byId(id: string, trx: Executor = db): Promise<ImportRecord | undefined> {
      return trx.selectFrom('imports').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** The newest imports first. */
    recent(limit: number, trx: Executor = db): Promise<ImportRecord[]> {
      return trx.selectFrom('imports').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    },

    async setProgress(id: string, progress: { rowsDone: number; bytesDone: number }, trx: Executor = db): Promise<void> {
      await trx.updateTable('imports').set({ rows_done: progress.rowsDone, bytes_done: progress.bytesDone }).where('id', '=', id).execute();
    },

    async setFormat(id: string, format: ImportRecord['format'], trx: Executor = db): Promise<void> {
      await trx.updateTable('imports').set({ format }).where('id', '=', id).execute();
    },

    async finish(id: string, outcome: ImportOutcome, trx: Executor = db): Promise<void> {
      await trx.updateTable('imports').set(outcome).where('id', '=', id).execute();
    },

    // --- the batches (inside the import's transaction) ---

    customersByNumber(numbers: readonly string[], trx: Executor) {
      return trx.selectFrom('customer_accounts').select(['id', 'customer_no']).where('customer_no', 'in', numbers).execute();
    },

    /**
     * Devices whose manufacturer is one of `manufacturers` and serial one of `serials`. Both
     * columns of the unique (manufacturer, serial) index: on PostgreSQL the list indexes on
     * serial use the "C" collation, which a plain `serial IN (…)` cannot use — without the
     * manufacturer every batch scanned the whole table (an import of 1,000,000 rows slowed down
     * with every batch). The caller skips pairs of another manufacturer that the lists also match.
     */
    devicesByAddress(manufacturers: readonly string[], serials: readonly string[], trx: Executor) {
      return trx
        .selectFrom('devices')
        .select(['id', 'manufacturer', 'serial', 'kind', 'medium', 'model', 'type_no', 'config_no', 'order_no', 'delivery_note', 'customer_account_id', 'import_id'])
        .where('manufacturer', 'in', manufacturers)
        .where('serial', 'in', serials)
        .execute();
    },

    keyVersionsOf(deviceIds: readonly string[], trx: Executor) {
      return trx.selectFrom('device_keys').select(['id', 'device_id', 'key_type', 'version', 'state', 'import_id']).where('device_id', 'in', deviceIds).execute();
    },

    async insertDevices(rows: ReadonlyArray<Insertable<DevicesTable>>, trx: Executor): Promise<void> {
      await trx.insertInto('devices').values([...rows]).execute();
    },

    async deactivateKeys(ids: readonly string[], change: { at: string; reason: string }, trx: Executor): Promise<void> {
      await trx
        .updateTable('device_keys')
        .set({ state: 'deactivated', state_changed_at: change.at, state_reason: change.reason, updated_at: change.at })
        .where('id', 'in', ids)
        .execute();
    },

    async insertKeys(rows: ReadonlyArray<Insertable<DeviceKeysTable>>, trx: Executor): Promise<void> {
      await trx.insertInto('device_keys').values([...rows]).execute();
    },
  };
}

export type ImportsRepo = ReturnType<typeof createImportsRepo>;
