import type { Clock } from '../../../lib/clock.js';
import { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from '../../../lib/crypto/passwords.js';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/database.js';
import type { UserRow } from '../../db/schema.js';
import type { Actor } from '../../access/actor.js';
import type { SessionService, NewSession } from './session-service.js';
import { accountLock, type SignInGuard } from './sign-in-guard.js';
import type { UsersRepo } from './users-repo.js';

/** Thrown inside the success transaction when a lock landed meanwhile: rolls it back. */
class LockedMeanwhile extends Error {}

/**
 * The password step of signing in (SEC-18, SEC-20, SEC-21). One answer for every refusal
 * (`invalid_credentials`, same body) and the same work: the password hash is checked for an
 * unknown e-mail (against a dummy) and for a locked account too. Only a refusal because the
 * source address itself is throttled skips the hash: that answer tells the caller nothing about
 * any account, and under a flood it keeps the hashing threads free.
 */
export function createSignInService(deps: {
  db: Db;
  users: Pick<UsersRepo, 'findByEmail'>;
  sessions: Pick<SessionService, 'startSession' | 'stageAfterPassword'>;
  signInGuard: SignInGuard;
  clock: Clock;
}) {
  const refused = () => new AppError('invalid_credentials');

  async function checkPassword(user: UserRow | undefined, password: string): Promise<boolean> {
    if (user?.password_hash) return verifyPassword(user.password_hash, password);
    await burnPasswordCheck(password);
    return false;
  }

  return {
    async signIn({ email, password, actor }: { email: string; password: string; actor: Actor }): Promise<NewSession> {
      const address = email.trim().toLowerCase();
      if (await deps.signInGuard.ipLocked(actor.ip)) {
        const user = await deps.users.findByEmail(address);
        await deps.signInGuard.refuse({ actor, user, action: 'session.deny', reason: 'ip throttled', countAccount: false, countIp: false });
        throw refused();
      }
      const user = await deps.users.findByEmail(address);
      const ok = await checkPassword(user, password);
      // Judged at the time after the (slow) hash check; claimSuccess below has the last word.
      const lock = user ? accountLock(user, deps.clock.now()) : null;
      const reason = !user ? 'unknown e-mail' : lock === 'hard' ? 'hard locked' : lock === 'temporary' ? 'locked' : !ok ? 'wrong password' : user.status !== 'active' ? `account ${user.status}` : null;
      if (!user || reason !== null) {
        await deps.signInGuard.refuse({ actor, user, action: 'session.deny', reason: reason ?? 'unknown e-mail', countAccount: reason === 'wrong password', countIp: true });
        throw refused();
      }

      const stage = await deps.sessions.stageAfterPassword(user);
      // SEC-20: parameters raised since this hash was made → store a new one (hashed before the
      // transaction: nothing slow between BEGIN and COMMIT).
      const oldHash = user.password_hash;
      const newHash = oldHash !== null && needsRehash(oldHash) ? await hashPassword(password) : null;
      try {
        return await deps.db.kysely.transaction().execute(async (trx) => {
          // A run of failures ends with a completed sign-in; with a second factor still due it
          // goes on, or guessing codes between correct passwords would never lock.
          if (!(await deps.signInGuard.claimSuccess(user.id, { reset: stage !== 'mfa' }, trx))) throw new LockedMeanwhile();
          if (newHash !== null && oldHash !== null) {
            await trx.updateTable('users').set({ password_hash: newHash }).where('id', '=', user.id).where('password_hash', '=', oldHash).execute();
          }
          return deps.sessions.startSession({ user, actor: { ...actor, authMethod: 'password' }, stage, trx });
        });
      } catch (err) {
        if (!(err instanceof LockedMeanwhile)) throw err;
        await deps.signInGuard.refuse({ actor, user, action: 'session.deny', reason: 'locked', countAccount: false, countIp: true });
        throw refused();
      }
    },
  };
}

export type SignInService = ReturnType<typeof createSignInService>;
