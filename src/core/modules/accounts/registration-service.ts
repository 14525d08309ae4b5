import type { Clock } from '../../../lib/clock.js';
import { hashPassword } from '../../../lib/crypto/passwords.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import type { Db } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { NewSession, SessionService } from '../auth/session-service.js';
import type { UsersRepo } from '../auth/users-repo.js';
import type { MailService } from '../mail/mail-service.js';
import type { AccountLinks } from './account-links.js';
import type { AccountsRepo } from './accounts-repo.js';
import type { PasswordCheck } from './password-check.js';
import { resendLimit } from './resend-limit.js';

export type Language = 'de' | 'en';

/**
 * Registration (flow 1, SEC-16, SEC-18). The request is answered alike for every address; what
 * differs is the mail: a new or still pending address gets an activation link (24 h, single use,
 * the newest one only), an active account gets "you already have an account" with the way to a
 * reset, a disabled one gets nothing. Every path runs the same lookups and one transaction with
 * its audit record, so the timing does not tell them apart either.
 */
export function createRegistrationService(deps: {
  db: Db;
  users: UsersRepo;
  accounts: Pick<AccountsRepo, 'countRecentRequests'>;
  links: AccountLinks;
  audit: AuditWriter;
  mail: Pick<MailService, 'enqueue' | 'assertReady'>;
  sessions: Pick<SessionService, 'startSession'>;
  checkPassword: PasswordCheck;
  clock: Clock;
  /** How many devices a pending invitee's grants offer (docs/grants.md); 0: the invitation is withdrawn. */
  invitedDevices: (userId: string) => Promise<number>;
}) {
  /**
   * The usable link of a completion (activation or invitation) and its pending owner. A dead
   * invitation link whose owner is still pending and whose grants were all revoked answers
   * `invitation_withdrawn` (410), every other dead link `token_invalid`.
   */
  async function completionLink(token: string) {
    const found = (await deps.links.find('activation', token)) ?? (await deps.links.find('invitation', token));
    const owner = found?.user_id ? await deps.users.findById(found.user_id) : undefined;
    if (found && owner && owner.status === 'pending') {
      const invitedDevices = found.purpose === 'invitation' ? await deps.invitedDevices(owner.id) : undefined;
      if (invitedDevices === 0) throw new AppError('invitation_withdrawn');
      return { found, owner, invitedDevices };
    }
    const dead = found ?? (await deps.links.findAnyState(token));
    if (dead?.purpose === 'invitation' && dead.user_id !== null && dead.expires_at > deps.clock.now().toISOString()) {
      const invitee = await deps.users.findById(dead.user_id);
      if (invitee?.status === 'pending' && (await deps.invitedDevices(invitee.id)) === 0) throw new AppError('invitation_withdrawn');
    }
    throw new AppError('token_invalid');
  }

  async function requestOnce({ email, language, actor }: { email: string; language: Language | undefined; actor: Actor }): Promise<void> {
    const address = email.trim().toLowerCase();
    await deps.db.kysely.transaction().execute(async (trx) => {
      const now = deps.clock.now();
      const at = now.toISOString();
      let user = await deps.users.findByEmail(address, trx);
      const recent = await deps.accounts.countRecentRequests('user.register', user?.id ?? '', new Date(now.getTime() - resendLimit.windowMs).toISOString(), trx);
      if (user && recent >= resendLimit.max) {
        await deps.audit.write({ actor, action: 'user.register', target: { type: 'user', id: user.id }, result: 'denied', reason: 'rate limited: no mail sent' }, trx);
        return;
      }
      if (!user) {
        const id = newId('usr');
        await deps.users.insert({ id, email: address, name: null, password_hash: null, is_operator: 0, status: 'pending', language: language ?? 'en', created_at: at, updated_at: at }, trx);
        user = await deps.users.findById(id, trx);
        if (!user) throw new AppError('internal');
      } else if (user.status === 'pending' && language !== undefined && language !== user.language) {
        // Nobody chose a language for a pending account yet: the latest request's page decides.
        await deps.users.update(user.id, { language, updated_at: at }, trx);
        user = { ...user, language };
      }
      let sent: 'activation' | 'already-registered' | 'none';
      if (user.status === 'pending') {
        const activation = await deps.links.issue(user.id, 'activation', trx);
        await deps.mail.enqueue({ to: address, template: 'activation', language: user.language, data: activation }, trx);
        sent = 'activation';
      } else if (user.status === 'active') {
        const data = { signInLink: deps.links.page('/sign-in'), resetLink: deps.links.page('/password/forgot') };
        await deps.mail.enqueue({ to: address, template: 'already-registered', language: user.language, data }, trx);
        sent = 'already-registered';
      } else {
        sent = 'none';
      }
      await deps.audit.write({
        actor,
        action: 'user.register',
        target: { type: 'user', id: user.id },
        result: sent === 'none' ? 'denied' : 'allowed',
        ...(sent === 'none' ? { reason: `account ${user.status}` } : {}),
        details: { mail: sent },
      }, trx);
    });
  }

  return {
    /** Always resolves the same way for a well-formed address (the route answers 202). */
    async request(input: { email: string; language?: Language; actor: Actor }): Promise<void> {
      // Before the address is looked up: a sealed vault must not answer only the addresses it mails.
      deps.mail.assertReady();
      try {
        await requestOnce({ email: input.email, language: input.language, actor: input.actor });
      } catch (err) {
        // Two requests for the same new address at once: the other one created the pending
        // account. Run again, so this one is treated as a re-send of that account.
        if (!isUniqueViolation(err)) throw err;
        await requestOnce({ email: input.email, language: input.language, actor: input.actor });
      }
    },

    /** What the completion page shows before the password is chosen; an invitation also its device count. */
    async inspect(token: string): Promise<{ email: string; invitedDevices?: number }> {
      const { owner, invitedDevices } = await completionLink(token);
      return invitedDevices === undefined ? { email: owner.email } : { email: owner.email, invitedDevices };
    },

    /**
     * Sets name and password, marks the e-mail verified and activates the account, consuming the
     * link in the same transaction: of two tabs completing one registration exactly one wins and
     * the other gets token_invalid with nothing changed. Then signs the new user in.
     */
    async complete({ token, password, name, actor }: { token: string; password: string; name?: string | null; actor: Actor }): Promise<NewSession> {
      const { found, owner, invitedDevices } = await completionLink(token);
      const invited = found.purpose === 'invitation';
      const cleanName = name?.trim() || null;
      await deps.checkPassword({ password, name: cleanName, email: owner.email, hasSecondFactor: false });
      // Hash before the transaction: nothing slow between BEGIN and COMMIT.
      const passwordHash = await hashPassword(password);
      const byLink: Actor = { ...actor, userId: owner.id, authMethod: invited ? 'invitation-link' : 'activation-link' };
      const user = await deps.db.kysely.transaction().execute(async (trx) => {
        const now = deps.clock.now().toISOString();
        if (!(await deps.links.consume(found.id, now, trx))) throw new AppError('token_invalid');
        const current = await deps.users.findById(owner.id, trx);
        if (!current || current.status !== 'pending') throw new AppError('token_invalid');
        await deps.users.update(owner.id, { name: cleanName, password_hash: passwordHash, status: 'active', email_verified_at: now, password_changed_at: now, updated_at: now }, trx);
        await deps.audit.write(
          invited
            ? { actor: byLink, action: 'invitation.accept', target: { type: 'user', id: owner.id }, result: 'allowed', details: { devices: invitedDevices ?? 0 } }
            : { actor: byLink, action: 'user.activate', target: { type: 'user', id: owner.id }, result: 'allowed' },
          trx,
        );
        return { ...current, name: cleanName, password_hash: passwordHash, status: 'active' as const, email_verified_at: now, password_changed_at: now, updated_at: now };
      });
      return deps.sessions.startSession({ user, actor: byLink });
    },
  };
}

export type RegistrationService = ReturnType<typeof createRegistrationService>;
