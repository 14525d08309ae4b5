import type { Executor } from '../../db/database.js';
import type { OneTimeTokensTable } from '../../db/schema.js';

type Purpose = OneTimeTokensTable['purpose'];

// One-time tokens are stored only as SHA-256 hashes (SEC-10) and consumed by a conditional
// UPDATE, so two tabs redeeming the same link race safely: exactly one of them wins.
export function createTokensRepo(db: Executor) {
  return {
    async insert(row: { id: string; userId: string | null; purpose: Purpose; tokenHash: string; expiresAt: string; createdAt: string }, trx: Executor = db) {
      await trx
        .insertInto('one_time_tokens')
        .values({
          id: row.id,
          user_id: row.userId,
          purpose: row.purpose,
          token_hash: row.tokenHash,
          expires_at: row.expiresAt,
          used_at: null,
          created_at: row.createdAt,
        })
        .execute();
    },
    /** A new link invalidates the older ones of the same purpose (and user). */
    async invalidate(purpose: Purpose, userId: string | null, now: string, trx: Executor = db) {
      let q = trx.updateTable('one_time_tokens').set({ used_at: now }).where('purpose', '=', purpose).where('used_at', 'is', null);
      q = userId === null ? q.where('user_id', 'is', null) : q.where('user_id', '=', userId);
      await q.execute();
    },
    findUsable(purposes: Purpose[], tokenHash: string, now: string, trx: Executor = db) {
      return trx
        .selectFrom('one_time_tokens')
        .selectAll()
        .where('token_hash', '=', tokenHash)
        .where('purpose', 'in', purposes)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
    },
    findByHash(tokenHash: string, trx: Executor = db) {
      return trx.selectFrom('one_time_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
    },
    async consume(id: string, now: string, trx: Executor = db): Promise<boolean> {
      const result = await trx
        .updateTable('one_time_tokens')
        .set({ used_at: now })
        .where('id', '=', id)
        .where('used_at', 'is', null)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type TokensRepo = ReturnType<typeof createTokensRepo>;
