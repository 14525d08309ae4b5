import type { Clock } from '../../../lib/clock.js';
import { hashPassword } from '../../../lib/crypto/passwords.js';
import { AppError } from '../../../shared/errors.js';
import type { Db, Executor } from '../../db/database.js';
import type { UserRow } from '../../db/schema.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Principal } from '../../access/principal.js';
import type { UsersRepo } from '../auth/users-repo.js';
import type { MailService } from '../mail/mail-service.js';
import type { AccountLinks } from './account-links.js';
import type { SessionsRepo } from '../auth/sessions-repo.js';
import type { MfaRepo } from '../mfa/mfa-repo.js';
import type { AccountsRepo } from './accounts-repo.js';
import type { PasswordCheck } from './password-check.js';
import { resendLimit } from './resend-limit.js';

/**
 * Forgot password (SEC-18, SEC-23). A request is answered alike for every address; an active
 * account gets a single-use link valid one hour (the newest only), a pending one a fresh
 * activation link instead. Completing sets the password, ends every session of the user, lifts
 * the brute-force locks (a reset is what ends a hard lock) and notifies the owner — but signs
 * nobody in: the user signs in normally afterwards, second factor included (SEC-22).
 */
export function createPasswordResetService(deps: {
  db: Db;
  users: UsersRepo;
  accounts: Pick<AccountsRepo, 'countRecentRequests'>;
  sessionStore: Pick<SessionsRepo, 'deleteAllOfUser'>;
  mfa: Pick<MfaRepo, 'hasConfirmedTotp'>;
  links: AccountLinks;
  guard: AccessGuard;
  audit: AuditWriter;
  mail: Pick<MailService, 'enqueue' | 'assertReady'>;
  checkPassword: PasswordCheck;
  clock: Clock;
}) {
  async function sendLink(user: UserRow, byOperator: boolean, trx: Executor): Promise<'password-reset' | 'activation'> {
    if (user.status === 'pending') {
      const activation = await deps.links.issue(user.id, 'activation', trx);
      await deps.mail.enqueue({ to: user.email, template: 'activation', language: user.language, data: activation }, trx);
      return 'activation';
    }
    const reset = await deps.links.issue(user.id, 'password-reset', trx);
    await deps.mail.enqueue({ to: user.email, template: 'password-reset', language: user.language, data: { ...reset, byOperator } }, trx);
    return 'password-reset';
  }

  return {
    /** Always resolves the same way for a well-formed address (the route answers 202). */
    async request({ email, actor }: { email: string; actor: Actor }): Promise<void> {
      // Before the address is looked up: a sealed vault must not answer only the addresses it mails.
      deps.mail.assertReady();
      const address = email.trim().toLowerCase();
      await deps.db.kysely.transaction().execute(async (trx) => {
        const now = deps.clock.now();
        const user = await deps.users.findByEmail(address, trx);
        const recent = await deps.accounts.countRecentRequests('password.reset_request', user?.id ?? '', new Date(now.getTime() - resendLimit.windowMs).toISOString(), trx);
        const refusal = !user ? 'unknown e-mail' : user.status === 'disabled' ? 'account disabled' : recent >= resendLimit.max ? 'rate limited: no mail sent' : null;
        if (!user || refusal !== null) {
          await deps.audit.write({ actor, action: 'password.reset_request', ...(user ? { target: { type: 'user', id: user.id } } : {}), result: 'denied', reason: refusal ?? 'unknown e-mail' }, trx);
          return;
        }
        const sent = await sendLink(user, false, trx);
        await deps.audit.write({ actor, action: 'password.reset_request', target: { type: 'user', id: user.id }, result: 'allowed', details: { mail: sent } }, trx);
      });
    },

    /** An operator mails the reset link to a user; the operator never sees or sets the password (SEC-23). */
    async sendByOperator({ principal, userId, actor }: { principal: Principal; userId: string; actor: Actor }): Promise<void> {
      await deps.guard.require(principal, actor, 'users.manage');
      await deps.db.kysely.transaction().execute(async (trx) => {
        const user = await deps.users.findById(userId, trx);
        if (!user) throw new AppError('not_found', `User ${userId} was not found.`);
        if (user.status !== 'active') throw new AppError('conflict', `The account of ${user.email} is ${user.status}; only an active account can get a reset link.`);
        await sendLink(user, true, trx);
        await deps.audit.write({ actor, action: 'password.reset_request', target: { type: 'user', id: user.id }, result: 'allowed', details: { mail: 'password-reset', byOperator: true } }, trx);
      });
    },

    /** What the reset page shows before the new password is chosen (the name feeds the policy box). */
    async inspect(token: string): Promise<{ email: string; name: string | null }> {
      const found = await deps.links.find('password-reset', token);
      const user = found?.user_id ? await deps.users.findById(found.user_id) : undefined;
      if (!user || user.status !== 'active') throw new AppError('token_invalid');
      return { email: user.email, name: user.name };
    },

    async complete({ token, password, actor }: { token: string; password: string; actor: Actor }): Promise<void> {
      const found = await deps.links.find('password-reset', token);
      const owner = found?.user_id ? await deps.users.findById(found.user_id) : undefined;
      if (!found || !owner || owner.status !== 'active') throw new AppError('token_invalid');
      await deps.checkPassword({ password, name: owner.name, email: owner.email, hasSecondFactor: await deps.mfa.hasConfirmedTotp(owner.id) });
      // Hash before the transaction: nothing slow between BEGIN and COMMIT.
      const passwordHash = await hashPassword(password);
      const byLink: Actor = { ...actor, userId: owner.id, authMethod: 'reset-link' };
      await deps.db.kysely.transaction().execute(async (trx) => {
        const now = deps.clock.now().toISOString();
        if (!(await deps.links.consume(found.id, now, trx))) throw new AppError('token_invalid');
        const current = await deps.users.findById(owner.id, trx);
        if (!current || current.status !== 'active') throw new AppError('token_invalid');
        await deps.users.update(owner.id, { password_hash: passwordHash, password_changed_at: now, failed_sign_ins: 0, locked_until: null, hard_locked: 0, updated_at: now }, trx);
        const ended = await deps.sessionStore.deleteAllOfUser(owner.id, trx);
        await deps.mail.enqueue({ to: current.email, template: 'password-changed', language: current.language, data: { when: now } }, trx);
        await deps.audit.write({ actor: byLink, action: 'password.reset', target: { type: 'user', id: owner.id }, result: 'allowed', details: { sessionsEnded: ended } }, trx);
      });
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
