import type { Executor } from '../../db/database.js';
import type { AuditAction } from '../audit/audit-events.js';

/**
 * The query that account self-service needs beyond the users, tokens, sessions and second-factor
 * repos: how many mails an address was sent lately (the re-send limit).
 */
export function createAccountsRepo(db: Executor) {
  return {
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
