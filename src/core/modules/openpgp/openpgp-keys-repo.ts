import type { Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { OpenPgpKeysTable } from '../../db/schema.js';

export type OpenPgpKeyRow = Selectable<OpenPgpKeysTable>;

/** The users' registered OpenPGP public keys (migration 0013): one row per user. */
export function createOpenPgpKeysRepo(db: Executor) {
  return {
    find(userId: string, trx: Executor = db): Promise<OpenPgpKeyRow | undefined> {
      return trx.selectFrom('openpgp_keys').selectAll().where('user_id', '=', userId).executeTakeFirst();
    },

    /** Sets the user's key, replacing one there was. */
    async put(row: OpenPgpKeyRow, trx: Executor = db): Promise<void> {
      await trx
        .insertInto('openpgp_keys')
        .values(row)
        .onConflict((oc) => oc.column('user_id').doUpdateSet({ armored: row.armored, fingerprint: row.fingerprint, algorithm: row.algorithm, created_at: row.created_at }))
        .execute();
    },

    /** Removes the user's key; how many rows went (0 or 1). */
    async remove(userId: string, trx: Executor = db): Promise<number> {
      const result = await trx.deleteFrom('openpgp_keys').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

export type OpenPgpKeysRepo = ReturnType<typeof createOpenPgpKeysRepo>;
