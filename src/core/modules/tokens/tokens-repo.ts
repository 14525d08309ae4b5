import type { Insertable } from 'kysely';
import type { Executor } from '../../db/database.js';
import { prepareQuery } from '../../db/prepared-query.js';
import type { ApiTokensTable } from '../../db/schema.js';

// API tokens (docs/api-tokens.md). Named apart from modules/auth/tokens-repo.ts (one-time links).

const viewColumns = [
  'api_tokens.id',
  'api_tokens.user_id',
  'api_tokens.name',
  'api_tokens.kind',
  'api_tokens.device_filter',
  'api_tokens.public_key',
  'api_tokens.created_at',
  'api_tokens.expires_at',
  'api_tokens.revoked_at',
  'api_tokens.revoked_by',
  'api_tokens.last_used_at',
  'api_tokens.last_used_ip',
] as const;

export function createApiTokensRepo(db: Executor) {
  // Compiled once (prepared-query.ts): it runs on every Bearer request.
  const byTokenHash = prepareQuery(['tokenHash'], (p) =>
    db
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .leftJoin('superuser_links', 'superuser_links.user_id', 'users.id')
      .select([
        'api_tokens.id',
        'api_tokens.kind',
        'api_tokens.device_filter',
        'api_tokens.expires_at',
        'api_tokens.revoked_at',
        'api_tokens.last_used_at',
        'api_tokens.last_used_ip',
        'users.id as user_id',
        'users.is_operator',
        'users.status',
        'superuser_links.customer_account_id',
      ])
      .where('api_tokens.token_hash', '=', p.tokenHash)
      .orderBy('superuser_links.customer_account_id'),
  );

  return {
    async insert(row: Insertable<ApiTokensTable>, trx: Executor = db): Promise<void> {
      await trx.insertInto('api_tokens').values(row).execute();
    },

    /**
     * The token with its user and the customer accounts the user is superuser of, in one round
     * trip: it runs on every Bearer request, and the rights must be read fresh each time (SEC-29).
     * One row per link; none is a row with a null account.
     */
    async findByTokenHash(tokenHash: string, trx: Executor = db) {
      const rows = await byTokenHash.run(trx, { tokenHash });
      const [first] = rows;
      if (first === undefined) return undefined;
      const { customer_account_id: _link, ...token } = first;
      const customerAccountIds = first.is_operator === 1 ? [] : rows.flatMap((r) => (r.customer_account_id === null ? [] : [r.customer_account_id]));
      return { ...token, customerAccountIds };
    },

    async touch(id: string, at: string, ip: string, trx: Executor = db): Promise<void> {
      await trx.updateTable('api_tokens').set({ last_used_at: at, last_used_ip: ip }).where('id', '=', id).execute();
    },

    /** A user's tokens, newest first (never the hash). */
    listOfUser(userId: string, trx: Executor = db) {
      return trx.selectFrom('api_tokens').select(viewColumns).where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
    },

    /** Every token with its user's e-mail, newest first, keyset-paged by (created_at, id). */
    page(input: { after?: { createdAt: string; id: string }; limit: number }, trx: Executor = db) {
      let q = trx
        .selectFrom('api_tokens')
        .innerJoin('users', 'users.id', 'api_tokens.user_id')
        .select([...viewColumns, 'users.email'])
        .orderBy('api_tokens.created_at', 'desc')
        .orderBy('api_tokens.id', 'desc')
        .limit(input.limit);
      const after = input.after;
      if (after !== undefined) {
        q = q.where((eb) =>
          eb.or([eb('api_tokens.created_at', '<', after.createdAt), eb.and([eb('api_tokens.created_at', '=', after.createdAt), eb('api_tokens.id', '<', after.id)])]),
        );
      }
      return q.execute();
    },

    byId(id: string, trx: Executor = db) {
      return trx.selectFrom('api_tokens').innerJoin('users', 'users.id', 'api_tokens.user_id').select([...viewColumns, 'users.email']).where('api_tokens.id', '=', id).executeTakeFirst();
    },

    /** Revokes the token if it is not revoked yet; whether this call revoked it. */
    async revoke(id: string, at: string, by: string | null, trx: Executor = db): Promise<boolean> {
      const result = await trx.updateTable('api_tokens').set({ revoked_at: at, revoked_by: by }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
  };
}

export type ApiTokensRepo = ReturnType<typeof createApiTokensRepo>;
