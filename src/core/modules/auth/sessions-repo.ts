import type { Executor } from '../../db/database.js';
import type { Insertable } from 'kysely';
import type { SessionsTable } from '../../db/schema.js';

export function createSessionsRepo(db: Executor) {
  return {
    async insert(row: Insertable<SessionsTable>, trx: Executor = db) {
      await trx.insertInto('sessions').values(row).execute();
    },
    /**
     * The session with its user and the customer accounts the user is superuser of, in one round
     * trip: it runs on every request, and the links must be read fresh each time (an unlink
     * takes effect on the next request). One row per link; none is a row with a null account.
     */
    async findByTokenHash(tokenHash: string, trx: Executor = db) {
      const rows = await trx
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .leftJoin('superuser_links', 'superuser_links.user_id', 'users.id')
        .select([
          'sessions.id as session_id',
          'sessions.created_at',
          'sessions.last_seen_at',
          'sessions.expires_at',
          'sessions.stage',
          'sessions.aal',
          'sessions.authenticated_at',
          'users.id as user_id',
          'users.email',
          'users.name',
          'users.is_operator',
          'users.status',
          'users.language',
          'superuser_links.customer_account_id',
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .orderBy('superuser_links.customer_account_id')
        .execute();
      const [first] = rows;
      if (first === undefined) return undefined;
      const { customer_account_id: _link, ...session } = first;
      const customerAccountIds = first.is_operator === 1 ? [] : rows.flatMap((r) => (r.customer_account_id === null ? [] : [r.customer_account_id]));
      return { ...session, customerAccountIds };
    },
    /** A user's sessions that have not ended (absolute or idle), newest use first. */
    listActive(userId: string, now: string, idleSince: string, trx: Executor = db) {
      return trx
        .selectFrom('sessions')
        .select(['id', 'created_at', 'last_seen_at', 'ip', 'user_agent', 'stage'])
        .where('user_id', '=', userId)
        .where('expires_at', '>', now)
        .where('last_seen_at', '>', idleSince)
        .orderBy('last_seen_at', 'desc')
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .execute();
    },
    async touch(id: string, lastSeenAt: string, trx: Executor = db) {
      await trx.updateTable('sessions').set({ last_seen_at: lastSeenAt }).where('id', '=', id).execute();
    },
    async delete(id: string, trx: Executor = db) {
      await trx.deleteFrom('sessions').where('id', '=', id).execute();
    },
    /** Deletes the session only if it belongs to the user: whether it did. */
    async deleteOwn(id: string, userId: string, trx: Executor = db): Promise<boolean> {
      const result = await trx.deleteFrom('sessions').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows) === 1;
    },
    /** Ends every session of the user: how many. */
    async deleteAllOfUser(userId: string, trx: Executor = db): Promise<number> {
      const result = await trx.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    /** Ends every session of the user but `keepId` (the one making a credential change): how many. */
    async deleteOthersOfUser(userId: string, keepId: string, trx: Executor = db): Promise<number> {
      const result = await trx.deleteFrom('sessions').where('user_id', '=', userId).where('id', '!=', keepId).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async setAalOfUser(userId: string, aal: number, trx: Executor = db): Promise<void> {
      await trx.updateTable('sessions').set({ aal }).where('user_id', '=', userId).execute();
    },
    async setAuthenticatedAt(id: string, at: string, trx: Executor = db): Promise<void> {
      await trx.updateTable('sessions').set({ authenticated_at: at }).where('id', '=', id).execute();
    },
    async deleteExpired(now: string, trx: Executor = db) {
      await trx.deleteFrom('sessions').where('expires_at', '<=', now).execute();
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
