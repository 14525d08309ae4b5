import { sql } from 'kysely';
import { applyDeviceScope, type DeviceScope } from '../../access/device-scope.js';
import type { Executor } from '../../db/database.js';
import type { SyncTokensTable } from '../../db/schema.js';

// The key sync's tables (migration 0012, docs/key-sync.md): the feed read after a cursor, each
// token's position, the key versions it holds, and the active keys its scope may read now.

/** An active key version a token may read, with what the answer says about its device. */
export interface ReadableKey {
  device_id: string;
  key_type: string;
  key_id: string;
  version: number;
  ciphertext: string | null;
  serial: string;
  manufacturer: string;
  kind: 'meter' | 'concentrator';
  medium: string;
  driver_hint: string | null;
}

export interface HeldKey {
  device_id: string;
  key_type: string;
  key_id: string;
  version: number;
}

/** The columns of a ReadableKey, from device_keys joined with devices. */
const readableColumns = [
  'device_keys.device_id',
  'device_keys.key_type',
  'device_keys.id as key_id',
  'device_keys.version',
  'device_keys.ciphertext',
  'devices.serial',
  'devices.manufacturer',
  'devices.kind',
  'devices.medium',
  'devices.driver_hint',
] as const;

/** Device ids per `in (…)` list. */
const ID_CHUNK = 5_000;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export function createSyncRepo(db: Executor) {
  async function readableIn(scope: DeviceScope, deviceIds: readonly string[] | null, trx: Executor): Promise<ReadableKey[]> {
    const query = (ids: readonly string[] | null) => {
      let q = trx
        .selectFrom('device_keys')
        .innerJoin('devices', 'devices.id', 'device_keys.device_id')
        .select(readableColumns)
        .where('device_keys.state', '=', 'active');
      if (ids !== null) q = q.where('device_keys.device_id', 'in', ids);
      // No order: the answer groups by device itself, and sorting 100,000 rows is time for nothing.
      return applyDeviceScope(q, scope).execute();
    };
    if (deviceIds === null) return query(null);
    const out: ReadableKey[] = [];
    for (const part of chunks(deviceIds, ID_CHUNK)) out.push(...(await query(part)));
    return out;
  }

  return {
    /** The newest seq of the feed (0 when empty). */
    async headSeq(trx: Executor = db): Promise<number> {
      const row = await trx.selectFrom('sync_changes').select((eb) => eb.fn.max('seq').as('seq')).executeTakeFirst();
      return Number(row?.seq ?? 0);
    },

    /**
     * The feed rows in (after, upTo] that can concern a token of `userId`: device rows for
     * everyone and the rows naming that user. At most `limit` rows; more means "diff everything".
     */
    async changesFor(input: { after: number; upTo: number; userId: string; limit: number }, trx: Executor = db) {
      const part = (mine: boolean) => {
        const q = trx.selectFrom('sync_changes').select(['seq', 'device_id', 'user_id']).where('seq', '>', input.after).where('seq', '<=', input.upTo);
        return (mine ? q.where('user_id', '=', input.userId) : q.where('user_id', 'is', null)).orderBy('seq').limit(input.limit).execute();
      };
      return [...(await part(false)), ...(await part(true))].sort((a, b) => a.seq - b.seq).slice(0, input.limit);
    },

    /** The active key versions in the scope, of the devices named (null: every device of the scope). */
    readable: (scope: DeviceScope, deviceIds: readonly string[] | null, trx: Executor = db) => readableIn(scope, deviceIds, trx),

    /** What the token holds now, of the devices named (null: all). */
    async held(tokenId: string, deviceIds: readonly string[] | null, trx: Executor = db): Promise<HeldKey[]> {
      const query = (ids: readonly string[] | null) => {
        let q = trx.selectFrom('sync_deliveries').select(['device_id', 'key_type', 'key_id', 'version']).where('token_id', '=', tokenId).where('until_gen', 'is', null);
        if (ids !== null) q = q.where('device_id', 'in', ids);
        return q.execute();
      };
      if (deviceIds === null) return query(null);
      const out: HeldKey[] = [];
      for (const part of chunks(deviceIds, ID_CHUNK)) out.push(...(await query(part)));
      return out;
    },

    position(tokenId: string, trx: Executor = db): Promise<SyncTokensTable | undefined> {
      return trx.selectFrom('sync_tokens').selectAll().where('token_id', '=', tokenId).executeTakeFirst();
    },

    /**
     * Moves the token from generation `from` (undefined: it had none) to `to`; false when another
     * request of the same token moved it meanwhile.
     */
    async advance(input: { tokenId: string; from: number | undefined; to: number; full: boolean; scopeHash: string | null; at: string }, trx: Executor): Promise<boolean> {
      if (input.from === undefined) {
        const inserted = await trx
          .insertInto('sync_tokens')
          .values({ token_id: input.tokenId, generation: input.to, full_generation: input.to, scope_hash: input.scopeHash, updated_at: input.at })
          .onConflict((c) => c.column('token_id').doNothing())
          .executeTakeFirst();
        return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
      }
      const updated = await trx
        .updateTable('sync_tokens')
        .set({ generation: input.to, scope_hash: input.scopeHash, updated_at: input.at, ...(input.full ? { full_generation: input.to } : {}) })
        .where('token_id', '=', input.tokenId)
        .where('generation', '=', input.from)
        .executeTakeFirst();
      return Number(updated.numUpdatedRows) === 1;
    },

    /**
     * A full answer: everything the token held goes; every active key of the scope is held from
     * `generation` on. One INSERT … SELECT, nothing shipped to the database and back; the answer
     * then reads exactly these rows (delivered), so what is stored is what is sent.
     */
    async holdScope(tokenId: string, generation: number, scope: DeviceScope, trx: Executor): Promise<{ devices: number; keys: number }> {
      await trx.deleteFrom('sync_deliveries').where('token_id', '=', tokenId).execute();
      const rows = trx
        .selectFrom('device_keys')
        .innerJoin('devices', 'devices.id', 'device_keys.device_id')
        .select([sql<string>`cast(${tokenId} as text)`.as('token_id'), 'device_keys.device_id', 'device_keys.key_type', 'device_keys.id as key_id', 'device_keys.version', sql<number>`cast(${generation} as integer)`.as('since_gen')])
        .where('device_keys.state', '=', 'active')
        .where('device_keys.ciphertext', 'is not', null);
      await trx.insertInto('sync_deliveries').columns(['token_id', 'device_id', 'key_type', 'key_id', 'version', 'since_gen']).expression(applyDeviceScope(rows, scope)).execute();
      const counted = await trx
        .selectFrom('sync_deliveries')
        .select((eb) => [eb.fn.countAll<number>().as('keys'), eb.fn.count<number>('device_id').distinct().as('devices')])
        .where('token_id', '=', tokenId)
        .where('since_gen', '=', generation)
        .executeTakeFirstOrThrow();
      return { devices: Number(counted.devices), keys: Number(counted.keys) };
    },

    /** The keys generation `generation` started to hold, with what the answer says of them. */
    delivered(tokenId: string, generation: number, trx: Executor = db): Promise<ReadableKey[]> {
      return trx
        .selectFrom('sync_deliveries')
        .innerJoin('device_keys', 'device_keys.id', 'sync_deliveries.key_id')
        .innerJoin('devices', 'devices.id', 'sync_deliveries.device_id')
        .select(readableColumns)
        .where('sync_deliveries.token_id', '=', tokenId)
        .where('sync_deliveries.since_gen', '=', generation)
        .execute();
    },

    /**
     * An incremental answer at `generation`: `ended` stop being held, `added` start. Rows that ended
     * before the previous generation are dropped: only the last answer can be asked for again.
     */
    async apply(input: { tokenId: string; generation: number; ended: readonly HeldKey[]; added: readonly HeldKey[] }, trx: Executor): Promise<void> {
      const { tokenId, generation } = input;
      await trx.deleteFrom('sync_deliveries').where('token_id', '=', tokenId).where('until_gen', '<', generation).execute();
      // By key type, then device ids: each statement walks the primary key (token, device, type).
      const byType = new Map<string, string[]>();
      for (const k of input.ended) {
        const devices = byType.get(k.key_type);
        if (devices === undefined) byType.set(k.key_type, [k.device_id]);
        else devices.push(k.device_id);
      }
      for (const [keyType, devices] of byType) {
        for (const part of chunks(devices, ID_CHUNK)) {
          await trx
            .updateTable('sync_deliveries')
            .set({ until_gen: generation })
            .where('token_id', '=', tokenId)
            .where('device_id', 'in', part)
            .where('key_type', '=', keyType)
            .where('until_gen', 'is', null)
            .execute();
        }
      }
      await insertHeld(tokenId, generation, input.added, trx);
    },

    /** Undoes the answer at `generation` (it was lost): the token holds again what it held before. */
    async rollback(tokenId: string, generation: number, trx: Executor): Promise<void> {
      await trx.deleteFrom('sync_deliveries').where('token_id', '=', tokenId).where('since_gen', '=', generation).execute();
      await trx.updateTable('sync_deliveries').set({ until_gen: null }).where('token_id', '=', tokenId).where('until_gen', '=', generation).execute();
    },

    /** Links an audit record to the devices whose keys generation `generation` delivered (set-based). */
    async linkAuditDevices(input: { auditId: string; tokenId: string; generation: number }, trx: Executor): Promise<void> {
      const rows = trx
        .selectFrom('sync_deliveries')
        .innerJoin('audit_log', (join) => join.on('audit_log.id', '=', input.auditId))
        .select(['audit_log.seq as audit_seq', 'sync_deliveries.device_id'])
        .where('sync_deliveries.token_id', '=', input.tokenId)
        .where('sync_deliveries.since_gen', '=', input.generation)
        .distinct();
      await trx.insertInto('audit_devices').columns(['audit_seq', 'device_id']).expression(rows).execute();
    },

    /** Drops the feed older than `before`; answers the highest seq dropped (0: none). */
    async prune(before: string, trx: Executor = db): Promise<number> {
      const row = await trx.selectFrom('sync_changes').select((eb) => eb.fn.max('seq').as('seq')).where('changed_at', '<', before).executeTakeFirst();
      const through = Number(row?.seq ?? 0);
      if (through > 0) await trx.deleteFrom('sync_changes').where('seq', '<=', through).execute();
      return through;
    },

    /** The lowest seq still in the feed (undefined: empty). */
    async oldestSeq(trx: Executor = db): Promise<number | undefined> {
      const row = await trx.selectFrom('sync_changes').select((eb) => eb.fn.min('seq').as('seq')).executeTakeFirst();
      return row?.seq == null ? undefined : Number(row.seq);
    },
  };

  async function insertHeld(tokenId: string, generation: number, keys: readonly HeldKey[], trx: Executor): Promise<void> {
    // By key id from device_keys (a version's device, type and number never change): one bound
    // value a row instead of seven, a short statement, the same rows.
    for (const part of chunks(keys, ID_CHUNK)) {
      const rows = trx
        .selectFrom('device_keys')
        .select([sql<string>`cast(${tokenId} as text)`.as('token_id'), 'device_id', 'key_type', 'id as key_id', 'version', sql<number>`cast(${generation} as integer)`.as('since_gen')])
        .where('id', 'in', part.map((k) => k.key_id));
      await trx.insertInto('sync_deliveries').columns(['token_id', 'device_id', 'key_type', 'key_id', 'version', 'since_gen']).expression(rows).execute();
    }
  }
}

export type SyncRepo = ReturnType<typeof createSyncRepo>;
