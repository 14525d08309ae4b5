import { type Selectable, sql } from 'kysely';
import type { LeftOutView } from '../../../shared/api/exports.js';
import type { Executor } from '../../db/database.js';
import type { DeviceKeysTable, ExportsTable } from '../../db/schema.js';
import type { DeviceIdQuery } from '../grants/grants-repo.js';

// Downloads' queries (docs/downloads.md "Downloading"). The selection arrives as the subquery of
// device-selection.ts; what leaves is read in chunks, keyset by device id, so a million devices
// are a thousand small reads and never one result held in memory.

/** One export as stored (schema.ts ExportsTable). */
export type ExportRow = Selectable<ExportsTable>;

export interface ExportStats {
  /** Devices with at least one active key version: they leave. */
  devices: number;
  /** Their active key versions. */
  keys: number;
  leftOut: LeftOutView;
  /** The customer account all leaving devices belong to, or null (several, or devices of none). */
  customerAccountId: string | null;
}

export interface ChunkDevice {
  id: string;
  serial: string;
  manufacturer: string;
  kind: 'meter' | 'concentrator';
  medium: string;
  model: string | null;
  type_no: string | null;
  config_no: string | null;
  order_no: string | null;
  delivery_note: string | null;
  customer_no: string | null;
  driver_hint: string | null;
}

export interface ChunkKey {
  id: string;
  device_id: string;
  key_type: string;
  version: number;
  ciphertext: string;
}

type KeyState = DeviceKeysTable['state'];


// The worst state among a device's versions names why it is left out (shared/api/exports.ts).
const rankOf: Record<Exclude<KeyState, 'active'>, number> = { compromised: 5, suspended: 4, deactivated: 3, destroyed: 2, 'pre-activation': 1 };
const reasonOfRank: Record<number, keyof LeftOutView> = { 5: 'compromised', 4: 'suspended', 3: 'deactivated', 2: 'destroyed', 1: 'preActivation', 0: 'noActiveKey' };

const activeKeys = sql<number>`(select count(*) from device_keys k where k.device_id = ${sql.ref('devices.id')} and k.state = 'active')`;
const activeState = sql<boolean>`${sql.ref('k.state')} = 'active'`;
/**
 * The device has an active key version. The keyset bound is repeated on the keys' side: PostgreSQL
 * plans the EXISTS as a merge semi-join, which without it walked the keys index from its start on
 * every chunk (a million-device export took minutes instead of seconds).
 */
const hasActiveKeyAfter = (afterId: string | null) =>
  sql<boolean>`exists (select 1 from device_keys k where k.device_id = ${sql.ref('devices.id')} and k.state = 'active'${afterId === null ? sql`` : sql` and k.device_id > ${afterId}`})`;
const worstRank = sql<number>`(select coalesce(max(case k.state ${sql.join(
  Object.entries(rankOf).map(([state, rank]) => sql`when ${sql.lit(state)} then ${sql.lit(rank)}`),
  sql` `,
)} else 0 end), 0) from device_keys k where k.device_id = ${sql.ref('devices.id')})`;

export function createExportRepo(db: Executor) {
  return {
    /**
     * What the selection holds: per device its active keys and, when none, the worst state of its
     * versions; summed up in the database, so a million devices are one statement.
     */
    async stats(devices: DeviceIdQuery, trx: Executor = db): Promise<ExportStats> {
      const perDevice = devices.select([activeKeys.as('active'), worstRank.as('worst'), 'devices.customer_account_id']).as('d');
      const rows = await trx
        .selectFrom(perDevice)
        .select([
          sql<number>`case when d.active > 0 then 0 else d.worst + 1 end`.as('bucket'),
          (eb) => eb.fn.countAll<number>().as('devices'),
          sql<number>`coalesce(sum(d.active), 0)`.as('keys'),
          sql<number>`count(distinct d.customer_account_id)`.as('accounts'),
          sql<number>`sum(case when d.customer_account_id is null then 1 else 0 end)`.as('without_account'),
          sql<string | null>`min(d.customer_account_id)`.as('account'),
        ])
        .groupBy(sql`case when d.active > 0 then 0 else d.worst + 1 end`)
        .execute();
      const leftOut: LeftOutView = { compromised: 0, suspended: 0, deactivated: 0, destroyed: 0, preActivation: 0, noActiveKey: 0 };
      let leaving = { devices: 0, keys: 0, customerAccountId: null as string | null };
      for (const row of rows) {
        const bucket = Number(row.bucket);
        if (bucket === 0) {
          const one = Number(row.accounts) === 1 && Number(row.without_account) === 0;
          leaving = { devices: Number(row.devices), keys: Number(row.keys), customerAccountId: one ? row.account : null };
        } else {
          const reason = reasonOfRank[bucket - 1];
          if (reason !== undefined) leftOut[reason] += Number(row.devices);
        }
      }
      return { ...leaving, leftOut };
    },

    /**
     * The next chunk of leaving devices after `afterId` (by id), each with its active key versions
     * and their ciphertexts: the chunk's ids first (the selection's index walk, at most `limit`),
     * then one row per key of those devices.
     */
    async chunk(devices: DeviceIdQuery, afterId: string | null, limit: number, trx: Executor = db): Promise<{ devices: ChunkDevice[]; keys: ChunkKey[]; lastId: string | null }> {
      let ids = devices.where(hasActiveKeyAfter(afterId));
      if (afterId !== null) ids = ids.where('devices.id', '>', afterId);
      const rows = await trx
        .selectFrom('devices')
        .innerJoin('device_keys as k', (join) => join.onRef('k.device_id', '=', 'devices.id').on(activeState).on('k.ciphertext', 'is not', null))
        .leftJoin('customer_accounts', 'customer_accounts.id', 'devices.customer_account_id')
        .select([
          'devices.id',
          'devices.serial',
          'devices.manufacturer',
          'devices.kind',
          'devices.medium',
          'devices.model',
          'devices.type_no',
          'devices.config_no',
          'devices.order_no',
          'devices.delivery_note',
          'customer_accounts.customer_no',
          'devices.driver_hint',
          'k.id as key_id',
          'k.key_type',
          'k.version',
          'k.ciphertext',
        ])
        .where('devices.id', 'in', ids.orderBy('devices.id').limit(limit))
        .orderBy('devices.id')
        .execute();
      const out: ChunkDevice[] = [];
      const keys: ChunkKey[] = [];
      for (const r of rows) {
        if (out[out.length - 1]?.id !== r.id) out.push(r);
        keys.push({ id: r.key_id, device_id: r.id, key_type: r.key_type, version: r.version, ciphertext: r.ciphertext ?? '' });
      }
      return { devices: out, keys, lastId: out[out.length - 1]?.id ?? null };
    },

    async insert(row: Omit<ExportRow, 'rows_written' | 'finished_at' | 'error'>, trx: Executor = db): Promise<void> {
      await trx.insertInto('exports').values(row).execute();
    },

    async addWritten(id: string, n: number, trx: Executor = db): Promise<void> {
      await trx
        .updateTable('exports')
        .set({ rows_written: sql<number>`rows_written + ${n}` })
        .where('id', '=', id)
        .execute();
    },

    async finish(id: string, outcome: { status: 'done' | 'failed'; at: string; error: string | null }, trx: Executor = db): Promise<void> {
      await trx.updateTable('exports').set({ status: outcome.status, finished_at: outcome.at, error: outcome.error }).where('id', '=', id).where('status', '=', 'running').execute();
    },

    async byId(id: string, trx: Executor = db): Promise<ExportRow | undefined> {
      const row = await trx.selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : { ...row, total: Number(row.total), rows_written: Number(row.rows_written) };
    },

    async customerNoOf(customerAccountId: string, trx: Executor = db): Promise<string | undefined> {
      const row = await trx.selectFrom('customer_accounts').select('customer_no').where('id', '=', customerAccountId).executeTakeFirst();
      return row?.customer_no;
    },
  };
}

export type ExportRepo = ReturnType<typeof createExportRepo>;
