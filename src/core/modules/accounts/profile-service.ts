import type { Clock } from '../../../lib/clock.js';
import { burnPasswordCheck, hashPassword, verifyPassword } from '../../../lib/crypto/passwords.js';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/database.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { PersonPrincipal as Principal } from '../../access/principal.js';
import type { UsersRepo } from '../auth/users-repo.js';
import type { MailService } from '../mail/mail-service.js';
import type { SessionsRepo } from '../auth/sessions-repo.js';
import type { MfaRepo } from '../mfa/mfa-repo.js';
import type { PasswordCheck } from './password-check.js';

export interface Profile {
  id: string;
  email: string;
  name: string | null;
  language: 'de' | 'en';
  roles: string[];
}

/** The signed-in user's own account: name, language, password (SEC-23). */
export function createProfileService(deps: {
  db: Db;
  users: UsersRepo;
  sessionStore: Pick<SessionsRepo, 'deleteOthersOfUser'>;
  mfa: Pick<MfaRepo, 'hasConfirmedTotp'>;
  audit: AuditWriter;
  mail: Pick<MailService, 'enqueue'>;
  checkPassword: PasswordCheck;
  clock: Clock;
}) {
  async function load(principal: Principal): Promise<Profile> {
    const user = await deps.users.findById(principal.userId);
    if (!user || user.status !== 'active') throw new AppError('unauthenticated');
    return { id: user.id, email: user.email, name: user.name, language: user.language, roles: principal.roles };
  }

  return {
    get: load,

    async update({ principal, name, language, actor }: { principal: Principal; name?: string | null; language?: 'de' | 'en'; actor: Actor }): Promise<Profile> {
      const changes: { name?: string | null; language?: 'de' | 'en' } = {};
      if (name !== undefined) changes.name = name?.trim() || null;
      if (language !== undefined) changes.language = language;
      await deps.db.kysely.transaction().execute(async (trx) => {
        await deps.users.update(principal.userId, { ...changes, updated_at: deps.clock.now().toISOString() }, trx);
        await deps.audit.write({
          actor,
          action: 'user.update',
          target: { type: 'user', id: principal.userId },
          result: 'allowed',
          // Which fields changed, not their values: a name is personal data.
          details: { name: 'name' in changes, ...(changes.language ? { language: changes.language } : {}) },
        }, trx);
      });
      return load(principal);
    },

    /**
     * Needs the current password. Ends every other session of the user (the one making the change
     * stays signed in) and tells the owner of the address by mail.
     */
    async changePassword({ principal, currentPassword, newPassword, actor }: { principal: Principal; currentPassword: string; newPassword: string; actor: Actor }): Promise<void> {
      const user = await deps.users.findById(principal.userId);
      if (!user || user.status !== 'active') throw new AppError('unauthenticated');
      let ok = false;
      if (user.password_hash) ok = await verifyPassword(user.password_hash, currentPassword);
      else await burnPasswordCheck(currentPassword);
      if (!ok) {
        await deps.db.kysely.transaction().execute((trx) =>
          deps.audit.write({ actor, action: 'password.change', target: { type: 'user', id: user.id }, result: 'denied', reason: 'wrong current password' }, trx),
        );
        throw new AppError('invalid_credentials', 'The current password is wrong.');
      }
      await deps.checkPassword({ password: newPassword, name: user.name, email: user.email, hasSecondFactor: await deps.mfa.hasConfirmedTotp(user.id) });
      // Hash before the transaction: nothing slow between BEGIN and COMMIT.
      const passwordHash = await hashPassword(newPassword);
      await deps.db.kysely.transaction().execute(async (trx) => {
        const now = deps.clock.now().toISOString();
        await deps.users.update(user.id, { password_hash: passwordHash, password_changed_at: now, updated_at: now }, trx);
        const ended = await deps.sessionStore.deleteOthersOfUser(user.id, principal.sessionId, trx);
        await deps.mail.enqueue({ to: user.email, template: 'password-changed', language: user.language, data: { when: now } }, trx);
        await deps.audit.write({ actor, action: 'password.change', target: { type: 'user', id: user.id }, result: 'allowed', details: { sessionsEnded: ended } }, trx);
      });
    },
  };
}

export type ProfileService = ReturnType<typeof createProfileService>;
