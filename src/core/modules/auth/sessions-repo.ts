import type { Executor } from '../../db/database.js';
import type { Insertable } from 'kysely';
import type { SessionsTable } from '../../db/schema.js';

export function createSessionsRepo(db: Executor) {
  return {
    async insert(row: Insertable<SessionsTable>, trx: Executor = db) {
      await trx.insertInto('sessions').values(row).execute();
    },
    findByTokenHash(tokenHash: string, trx: Executor = db) {
      return trx
        .selectFrom('sessions')
        .innerJoin('users', 'users.id', 'sessions.user_id')
        .select([
          'sessions.id as session_id',
          'sessions.created_at',
          'sessions.last_seen_at',
          'sessions.expires_at',
          'users.id as user_id',
          'users.email',
          'users.name',
          'users.is_operator',
          'users.status',
          'users.language',
        ])
        .where('sessions.token_hash', '=', tokenHash)
        .executeTakeFirst();
    },
    async touch(id: string, lastSeenAt: string, trx: Executor = db) {
      await trx.updateTable('sessions').set({ last_seen_at: lastSeenAt }).where('id', '=', id).execute();
    },
    async delete(id: string, trx: Executor = db) {
      await trx.deleteFrom('sessions').where('id', '=', id).execute();
    },
    async deleteExpired(now: string, trx: Executor = db) {
      await trx.deleteFrom('sessions').where('expires_at', '<=', now).execute();
    },
  };
}

export type SessionsRepo = ReturnType<typeof createSessionsRepo>;
