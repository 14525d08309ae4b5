import type { Clock } from '../../../lib/clock.js';
import { throttleSubject } from '../../../lib/source-address.js';
import type { Db, Executor } from '../../db/database.js';
import type { UserRow } from '../../db/schema.js';
import type { AuditAction } from '../audit/audit-events.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { SignInGuardRepo } from './sign-in-guard-repo.js';

// Brute-force protection (SEC-21), shared by the password step, the second-factor step and the
// other places that check a password or a code of a signed-in user:
//  - per account: every `lockAfter` consecutive failures lock it for `firstLockMs`, doubling up
//    to `maxLockMs`; `hardLockAfter` consecutive failures lock it until a password reset. While
//    it is locked, attempts are refused without being counted (a lock is a pause, not a faster
//    road to the hard lock) and the correct password is refused too;
//  - per source address (IPv6 by /64): `ipFailures` failures within `ipWindowMs` lock the
//    address for `ipLockMs`, across all accounts (password spraying);
//  - the caller answers every refusal the same way; the audit trail records why.

export interface SignInLimits {
  lockAfter: number;
  firstLockMs: number;
  maxLockMs: number;
  hardLockAfter: number;
  ipFailures: number;
  ipWindowMs: number;
  ipLockMs: number;
}

export const defaultSignInLimits: SignInLimits = {
  lockAfter: 5,
  firstLockMs: 60_000,
  maxLockMs: 15 * 60_000,
  hardLockAfter: 100,
  ipFailures: 50,
  ipWindowMs: 15 * 60_000,
  ipLockMs: 15 * 60_000,
};

export type AccountLock = 'hard' | 'temporary' | null;

/** How long the lock after the n-th consecutive failure lasts, or 0 when n locks nothing. */
export function lockDurationMs(failures: number, limits: SignInLimits): number {
  if (failures < limits.lockAfter || failures % limits.lockAfter !== 0) return 0;
  const doublings = failures / limits.lockAfter - 1;
  return Math.min(limits.firstLockMs * 2 ** Math.min(doublings, 30), limits.maxLockMs);
}

export function accountLock(user: Pick<UserRow, 'hard_locked' | 'locked_until'>, now: Date): AccountLock {
  if (user.hard_locked === 1) return 'hard';
  if (user.locked_until !== null && Date.parse(user.locked_until) > now.getTime()) return 'temporary';
  return null;
}

// Shared with the HTTP rate limiter (src/core/http/rate-limit.ts), which counts by the same subject.
export { throttleSubject };

export interface Refusal {
  actor: Actor;
  /** The account the attempt was about, when known. */
  user?: Pick<UserRow, 'id'> | undefined;
  /** session.deny for the password step, mfa.verify / mfa.disable for codes. */
  action: Extract<AuditAction, 'session.deny' | 'mfa.verify' | 'mfa.disable' | 'mfa.enrol'>;
  reason: string;
  /** Count toward the account's run of failures (a wrong password or code, not a refusal for a lock). */
  countAccount: boolean;
  /** Count toward the source address (every refusal except one for the address's own lock). */
  countIp: boolean;
  details?: Record<string, string | number | boolean | null>;
}

export function createSignInGuard(deps: { db: Db; repo: SignInGuardRepo; audit: AuditWriter; clock: Clock; limits?: Partial<SignInLimits> }) {
  const limits: SignInLimits = { ...defaultSignInLimits, ...deps.limits };

  return {
    limits,

    /** Whether attempts from this address are refused now (without checking anything else). */
    async ipLocked(ip: string | null): Promise<boolean> {
      const row = await deps.repo.findThrottle(throttleSubject(ip));
      return row?.locked_until != null && Date.parse(row.locked_until) > deps.clock.now().getTime();
    },

    /** Records a refused attempt: the audit record, the counters and any lock they cause, in one transaction. */
    async refuse(refusal: Refusal): Promise<void> {
      const now = deps.clock.now();
      const nowIso = now.toISOString();
      await deps.db.kysely.transaction().execute(async (trx) => {
        const { actor, user } = refusal;
        await deps.audit.write({
          actor: { ...actor, userId: actor.userId ?? user?.id ?? null },
          action: refusal.action,
          target: user ? { type: 'user', id: user.id } : undefined,
          result: 'denied',
          reason: refusal.reason,
          ...(refusal.details ? { details: refusal.details } : {}),
        }, trx);
        if (refusal.countAccount && user) await countAccount(user.id, actor, now, trx);
        if (refusal.countIp) await countIp(actor, now, nowIso, trx);
      });
    },

    /** See SignInGuardRepo.claimSuccess: false when the account is locked at this moment. */
    claimSuccess(userId: string, options: { reset: boolean }, trx: Executor): Promise<boolean> {
      return deps.repo.claimSuccess(userId, deps.clock.now().toISOString(), options.reset, trx);
    },
  };

  async function countAccount(userId: string, actor: Actor, now: Date, trx: Executor): Promise<void> {
    const failures = await deps.repo.countAccountFailure(userId, now.toISOString(), trx);
    if (failures === undefined) return;
    if (failures >= limits.hardLockAfter) {
      await deps.repo.hardLockAccount(userId, trx);
      await deps.audit.write({ actor, action: 'user.lock', target: { type: 'user', id: userId }, result: 'allowed', reason: 'hard lock: only a password reset lifts it', details: { lock: 'hard', failures } }, trx);
      return;
    }
    const ms = lockDurationMs(failures, limits);
    if (ms === 0) return;
    const until = new Date(now.getTime() + ms).toISOString();
    await deps.repo.lockAccount(userId, until, trx);
    await deps.audit.write({ actor, action: 'user.lock', target: { type: 'user', id: userId }, result: 'allowed', reason: 'temporary lock', details: { lock: 'temporary', failures, lockedUntil: until, seconds: ms / 1000 } }, trx);
  }

  async function countIp(actor: Actor, now: Date, nowIso: string, trx: Executor): Promise<void> {
    const subject = throttleSubject(actor.ip);
    const failures = await deps.repo.countIpFailure(subject, nowIso, new Date(now.getTime() - limits.ipWindowMs).toISOString(), trx);
    if (failures < limits.ipFailures) return;
    const until = new Date(now.getTime() + limits.ipLockMs).toISOString();
    await deps.repo.lockIp(subject, until, nowIso, trx);
    await deps.audit.write({ actor, action: 'user.lock', target: { type: 'source-address', id: subject }, result: 'allowed', reason: 'source address throttled', details: { lock: 'address', failures, lockedUntil: until, seconds: limits.ipLockMs / 1000 } }, trx);
  }
}

export type SignInGuard = ReturnType<typeof createSignInGuard>;
