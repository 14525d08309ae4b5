import type { Selectable } from 'kysely';
import type { Db, Executor } from '../db/database.js';
import type { VaultDataKeysTable, VaultKeksTable } from '../db/schema.js';

// The vault's tables: vault_keks (KEK versions wrapped by a master key version), vault_data_keys
// (data keys wrapped by a KEK) and vault_meta (the canary, the minimum decryption version).
// Only ciphertext passes through here. Every method runs in the caller's transaction if given.

export type KekRow = Selectable<VaultKeksTable>;
export type DataKeyRow = Selectable<VaultDataKeysTable>;
export type MetaName = 'canary' | 'min_decryption_version';

export interface KekUsage {
  version: number;
  masterVersion: number;
  state: KekRow['state'];
  operations: number;
  dataKeys: number;
}

export function createVaultRepo(db: Db) {
  const on = (trx?: Executor): Executor => trx ?? db.kysely;

  return {
    /** True if the vault was ever initialised: any KEK, data key or canary. Reads no more than a row each. */
    async isInitialised(trx?: Executor): Promise<boolean> {
      const kek = await on(trx).selectFrom('vault_keks').select('id').limit(1).executeTakeFirst();
      if (kek) return true;
      const dataKey = await on(trx).selectFrom('vault_data_keys').select('id').limit(1).executeTakeFirst();
      if (dataKey) return true;
      const canary = await on(trx).selectFrom('vault_meta').select('name').where('name', '=', 'canary').executeTakeFirst();
      return canary !== undefined;
    },

    async activeKek(trx?: Executor): Promise<KekRow | undefined> {
      return on(trx).selectFrom('vault_keks').selectAll().where('state', '=', 'active').orderBy('version', 'desc').limit(1).executeTakeFirst();
    },

    async kekById(id: string, trx?: Executor): Promise<KekRow | undefined> {
      return on(trx).selectFrom('vault_keks').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async kekByVersion(version: number, trx?: Executor): Promise<KekRow | undefined> {
      return on(trx).selectFrom('vault_keks').selectAll().where('version', '=', version).executeTakeFirst();
    },

    async maxKekVersion(trx?: Executor): Promise<number> {
      const row = await on(trx).selectFrom('vault_keks').select((eb) => eb.fn.max('version').as('max')).executeTakeFirst();
      return Number(row?.max ?? 0);
    },

    async insertKek(row: KekRow, trx?: Executor): Promise<void> {
      await on(trx).insertInto('vault_keks').values(row).execute();
    },

    /** Demotes every active KEK except `keepId` to decrypt-only. */
    async demoteActiveKeks(keepId: string, trx?: Executor): Promise<void> {
      await on(trx).updateTable('vault_keks').set({ state: 'decrypt-only' }).where('state', '=', 'active').where('id', '!=', keepId).execute();
    },

    /**
     * Counts `count` wraps against an active KEK, only if that keeps it within `max`. Atomic in
     * one statement, so instances sharing a database never push a KEK past its limit together.
     */
    async reserveKekOperations(input: { id: string; count: number; max: number }, trx?: Executor): Promise<boolean> {
      const result = await on(trx)
        .updateTable('vault_keks')
        .set((eb) => ({ operations: eb('operations', '+', input.count) }))
        .where('id', '=', input.id)
        .where('state', '=', 'active')
        .where('operations', '<=', input.max - input.count)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /** Deletes a KEK version's wrapped material if no data key references it any more. */
    async retireKekIfUnused(id: string, trx?: Executor): Promise<boolean> {
      const result = await on(trx)
        .updateTable('vault_keks')
        .set({ state: 'retired', wrapped: '' })
        .where('id', '=', id)
        .where('state', '=', 'decrypt-only')
        .where((eb) => eb.not(eb.exists(eb.selectFrom('vault_data_keys').select('vault_data_keys.id').where('vault_data_keys.kek_id', '=', id))))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async countDataKeysOfKek(kekId: string, trx?: Executor): Promise<number> {
      const row = await on(trx).selectFrom('vault_data_keys').select((eb) => eb.fn.countAll().as('n')).where('kek_id', '=', kekId).executeTakeFirst();
      return Number(row?.n ?? 0);
    },

    async kekUsage(trx?: Executor): Promise<KekUsage[]> {
      const keks = await on(trx).selectFrom('vault_keks').selectAll().orderBy('version').execute();
      const counts = await on(trx)
        .selectFrom('vault_data_keys')
        .select(['kek_id', (eb) => eb.fn.countAll().as('n')])
        .groupBy('kek_id')
        .execute();
      const byKek = new Map(counts.map((c) => [c.kek_id, Number(c.n)]));
      return keks.map((k) => ({ version: k.version, masterVersion: k.master_version, state: k.state, operations: Number(k.operations), dataKeys: byKek.get(k.id) ?? 0 }));
    },

    async dataKeyById(id: string, trx?: Executor): Promise<DataKeyRow | undefined> {
      return on(trx).selectFrom('vault_data_keys').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async insertDataKey(row: DataKeyRow, trx?: Executor): Promise<void> {
      await on(trx).insertInto('vault_data_keys').values(row).execute();
    },

    /** Records an instance's in-memory counter; never lowers it. */
    async recordDataKeyOperations(input: { id: string; operations: number; retire: boolean }, trx?: Executor): Promise<void> {
      await on(trx)
        .updateTable('vault_data_keys')
        .set(input.retire ? { operations: input.operations, state: 'decrypt-only' } : { operations: input.operations })
        .where('id', '=', input.id)
        .where('operations', '<=', input.operations)
        .execute();
    },

    /**
     * One KEK's data keys in id order after `afterId` (keyset pagination). One KEK at a time, so
     * the (kek_id, id) index yields the page directly, without sorting what is left.
     */
    async dataKeysUnder(input: { kekId: string; afterId: string; limit: number }, trx?: Executor): Promise<DataKeyRow[]> {
      return on(trx).selectFrom('vault_data_keys').selectAll().where('kek_id', '=', input.kekId).where('id', '>', input.afterId).orderBy('id').limit(input.limit).execute();
    },

    /** Moves a data key to another KEK; only if it is still where the rewrap found it. */
    async rewrapDataKey(input: { id: string; fromKekId: string; toKekId: string; wrapped: string }, trx?: Executor): Promise<boolean> {
      const result = await on(trx)
        .updateTable('vault_data_keys')
        .set({ kek_id: input.toKekId, wrapped: input.wrapped })
        .where('id', '=', input.id)
        .where('kek_id', '=', input.fromKekId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async getMeta(name: MetaName, trx?: Executor): Promise<string | undefined> {
      const row = await on(trx).selectFrom('vault_meta').select('value').where('name', '=', name).executeTakeFirst();
      return row?.value;
    },

    async setMeta(name: MetaName, value: string, trx?: Executor): Promise<void> {
      await on(trx)
        .insertInto('vault_meta')
        .values({ name, value })
        .onConflict((oc) => oc.column('name').doUpdateSet({ value }))
        .execute();
    },
  };
}

export type VaultRepo = ReturnType<typeof createVaultRepo>;
