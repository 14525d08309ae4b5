import type { Executor } from '../../db/database.js';
import type { AuditAction } from '../audit/audit-events.js';

/**
 * The queries that account self-service needs beyond the users and tokens repos: ending a user's
 * sessions after a credential change, whether the user has a second factor (the NIST profile's
 * minimum length depends on it), and how many mails an address was sent lately (re-send limit).
 */
export function createAccountsRepo(db: Executor) {
  return {
    /** Deletes every session of the user except `keep` (the one making the change); returns how many ended. */
    async endSessions(userId: string, keep: string | null, trx: Executor = db): Promise<number> {
      let q = trx.deleteFrom('sessions').where('user_id', '=', userId);
      if (keep !== null) q = q.where('id', '!=', keep);
      const result = await q.executeTakeFirst();
      return Number(result.numDeletedRows);
    },

    async hasSecondFactor(userId: string, trx: Executor = db): Promise<boolean> {
      const row = await trx.selectFrom('mfa_totp').select('user_id').where('user_id', '=', userId).where('confirmed_at', 'is not', null).executeTakeFirst();
      return row !== undefined;
    },

    /**
     * Allowed requests of one kind about one account since `since`, counted in the audit trail
     * (its target index): the trail already holds every request, on every instance, so the
     * re-send limit needs no counter of its own.
     */
    async countRecentRequests(action: AuditAction, userId: string, since: string, trx: Executor = db): Promise<number> {
      const row = await trx
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('target_type', '=', 'user')
        .where('target_id', '=', userId)
        .where('action', '=', action)
        .where('result', '=', 'allowed')
        .where('occurred_at', '>', since)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}

export type AccountsRepo = ReturnType<typeof createAccountsRepo>;
