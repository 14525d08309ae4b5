import type { Executor } from '../../db/database.js';

/**
 * The brute-force counters (SEC-21): consecutive failures on the account (users.failed_sign_ins,
 * locked_until, hard_locked) and failures per source address (sign_in_throttle). Every change is
 * one conditional statement, so parallel attempts are all counted and none is lost.
 */
export function createSignInGuardRepo(db: Executor) {
  return {
    /** +1 on the account's consecutive failures unless it is locked: the new count, or undefined when locked. */
    async countAccountFailure(userId: string, now: string, trx: Executor = db): Promise<number | undefined> {
      const row = await trx
        .updateTable('users')
        .set((eb) => ({ failed_sign_ins: eb('failed_sign_ins', '+', 1) }))
        .where('id', '=', userId)
        .where('hard_locked', '=', 0)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .returning('failed_sign_ins')
        .executeTakeFirst();
      return row === undefined ? undefined : Number(row.failed_sign_ins);
    },

    async lockAccount(userId: string, until: string, trx: Executor = db): Promise<void> {
      await trx.updateTable('users').set({ locked_until: until }).where('id', '=', userId).execute();
    },

    async hardLockAccount(userId: string, trx: Executor = db): Promise<void> {
      await trx.updateTable('users').set({ hard_locked: 1 }).where('id', '=', userId).execute();
    },

    /**
     * A proven sign-in step, claimed against the lock: false when the account is locked now. On
     * PostgreSQL the row stays locked until commit, so a failure committing meanwhile is seen.
     * `reset` ends the run of failures (a completed sign-in); otherwise the count stays.
     */
    async claimSuccess(userId: string, now: string, reset: boolean, trx: Executor = db): Promise<boolean> {
      const result = await trx
        .updateTable('users')
        .set((eb) => (reset ? { failed_sign_ins: 0, locked_until: null } : { failed_sign_ins: eb.ref('failed_sign_ins') }))
        .where('id', '=', userId)
        .where('hard_locked', '=', 0)
        .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    async findThrottle(subject: string, trx: Executor = db) {
      return trx.selectFrom('sign_in_throttle').selectAll().where('subject', '=', subject).executeTakeFirst();
    },

    /** +1 on the address's failures in the current window (a window older than `windowStart` starts over): the new count. */
    async countIpFailure(subject: string, now: string, windowStart: string, trx: Executor = db): Promise<number> {
      const row = await trx
        .insertInto('sign_in_throttle')
        .values({ subject, failures: 1, window_started_at: now, locked_until: null })
        .onConflict((oc) =>
          oc.column('subject').doUpdateSet((eb) => ({
            failures: eb
              .case()
              .when('sign_in_throttle.window_started_at', '<=', windowStart)
              .then(1)
              .else(eb('sign_in_throttle.failures', '+', 1))
              .end(),
            window_started_at: eb.case().when('sign_in_throttle.window_started_at', '<=', windowStart).then(now).else(eb.ref('sign_in_throttle.window_started_at')).end(),
          })),
        )
        .returning('failures')
        .executeTakeFirstOrThrow();
      return Number(row.failures);
    },

    /** Locks the address and starts its count over (after the lock, a new window). */
    async lockIp(subject: string, until: string, now: string, trx: Executor = db): Promise<void> {
      await trx.updateTable('sign_in_throttle').set({ locked_until: until, failures: 0, window_started_at: now }).where('subject', '=', subject).execute();
    },
  };
}

export type SignInGuardRepo = ReturnType<typeof createSignInGuardRepo>;
