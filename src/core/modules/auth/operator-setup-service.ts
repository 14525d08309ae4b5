import type { Clock } from '../../../lib/clock.js';
import { newToken, hashToken } from '../../../lib/crypto/tokens.js';
import { hashPassword } from '../../../lib/crypto/passwords.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import type { Db, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { MailService } from '../mail/mail-service.js';
import type { SettingsService } from '../settings/settings-service.js';
import type { TokensRepo } from './tokens-repo.js';
import type { UsersRepo } from './users-repo.js';

const setupLinkHours = 24;

export interface SetupLink {
  link: string;
  expiresAt: string;
}

/**
 * Operators come into being through one-time links: `openeks operator create --email E` for a
 * named operator, and a bootstrap link printed at start-up while no operator exists. The link
 * carries the token in its fragment (`/setup#token=…`) so it never reaches a server log.
 */
export function createOperatorSetupService(deps: {
  db: Db;
  users: UsersRepo;
  tokens: TokensRepo;
  passwordPolicy: Pick<SettingsService, 'checkPassword'>;
  guard: AccessGuard;
  audit: AuditWriter;
  mail: Pick<MailService, 'enqueue'>;
  clock: Clock;
  publicUrl: URL;
}) {
  const linkFor = (token: string) => new URL(`/setup#token=${token}`, deps.publicUrl).toString();

  async function issue(userId: string | null, purpose: 'operator-setup' | 'operator-bootstrap', trx: Executor) {
    const now = deps.clock.now();
    const expiresAt = new Date(now.getTime() + setupLinkHours * 3600_000).toISOString();
    const { token, hash } = newToken();
    await deps.tokens.invalidate(purpose, userId, now.toISOString(), trx);
    await deps.tokens.insert({ id: newId('tok'), userId, purpose, tokenHash: hash, expiresAt, createdAt: now.toISOString() }, trx);
    return { link: linkFor(token), expiresAt };
  }

  return {
    /** Creates a pending operator (or re-issues the link of a pending one) and mails the link. */
    async createOperator({ principal, actor, email, language = 'en' }: { principal: Principal; actor: Actor; email: string; language?: 'de' | 'en' }): Promise<SetupLink> {
      await deps.guard.require(principal, actor, 'users.manage');
      const address = email.trim().toLowerCase();
      try {
        return await deps.db.kysely.transaction().execute(async (trx) => {
          const now = deps.clock.now().toISOString();
          let user = await deps.users.findByEmail(address, trx);
          if (user && user.status !== 'pending') {
            throw new AppError('conflict', `${address} already has an active account; use password reset instead.`);
          }
          if (!user) {
            const id = newId('usr');
            await deps.users.insert({ id, email: address, name: null, password_hash: null, is_operator: 1, status: 'pending', language, created_at: now, updated_at: now }, trx);
            user = await deps.users.findById(id, trx);
          } else if (user.is_operator !== 1) {
            await deps.users.update(user.id, { is_operator: 1, updated_at: now }, trx);
          }
          if (!user) throw new AppError('internal');
          const setup = await issue(user.id, 'operator-setup', trx);
          await deps.mail.enqueue({ to: address, template: 'operator-setup', language: user.language, data: setup }, trx);
          await deps.audit.write({ actor, action: 'operator.create', target: { type: 'user', id: user.id }, result: 'allowed' }, trx);
          return setup;
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', `${address} was created at the same moment by someone else.`);
        throw err;
      }
    },

    /** While no operator is active, every start issues a fresh bootstrap link (older ones die). */
    async bootstrapLinkIfNoOperator(actor: Actor): Promise<SetupLink | null> {
      return deps.db.kysely.transaction().execute(async (trx) => {
        if ((await deps.users.countActiveOperators(trx)) > 0) return null;
        const setup = await issue(null, 'operator-bootstrap', trx);
        await deps.audit.write({ actor, action: 'operator.bootstrap', result: 'allowed' }, trx);
        return setup;
      });
    },

    /** What the setup page shows before the password is set: the e-mail, or null to ask for one. */
    async inspect(token: string): Promise<{ email: string | null }> {
      const row = await deps.tokens.findUsable(['operator-setup', 'operator-bootstrap'], hashToken(token), deps.clock.now().toISOString());
      if (!row) throw new AppError('token_invalid');
      if (row.user_id === null) return { email: null };
      const user = await deps.users.findById(row.user_id);
      if (!user || user.status !== 'pending') throw new AppError('token_invalid');
      return { email: user.email };
    },

    /**
     * Sets the first password. `language` is the setup page's: the account's language from now on
     * (the mails it gets), whatever the link was mailed in; without one the account keeps its own.
     */
    async complete({
      token,
      password,
      name,
      email,
      language,
      actor,
    }: {
      token: string;
      password: string;
      name?: string | undefined;
      email?: string | undefined;
      language?: 'de' | 'en' | undefined;
      actor: Actor;
    }): Promise<{ userId: string }> {
      const found = await deps.tokens.findUsable(['operator-setup', 'operator-bootstrap'], hashToken(token), deps.clock.now().toISOString());
      if (!found) throw new AppError('token_invalid');
      const owner = found.user_id === null ? undefined : await deps.users.findById(found.user_id);
      const address = owner?.email ?? email?.trim().toLowerCase();
      if (!address) throw new AppError('validation_failed', 'The e-mail address is missing.', { details: [{ field: 'email', reason: 'required' }] });
      // The configured policy (SEC-19). No second factor yet: enrolment comes after sign-in.
      const problems = await deps.passwordPolicy.checkPassword({ password, name: name ?? owner?.name ?? null, email: address, hasSecondFactor: false });
      if (problems.length > 0) throw new AppError('password_rejected', undefined, { details: problems });
      // Hash before the transaction: nothing slow between BEGIN and COMMIT.
      const passwordHash = await hashPassword(password);
      try {
        return await deps.db.kysely.transaction().execute(async (trx) => {
          const now = deps.clock.now().toISOString();
          if (!(await deps.tokens.consume(found.id, now, trx))) throw new AppError('token_invalid');
          let userId = owner?.id;
          const accountLanguage = language ?? owner?.language ?? 'en';
          if (found.purpose === 'operator-bootstrap') {
            if ((await deps.users.countActiveOperators(trx)) > 0) throw new AppError('token_invalid');
            userId = newId('usr');
            await deps.users.insert(
              { id: userId, email: address, name: name ?? null, password_hash: passwordHash, is_operator: 1, status: 'active', language: accountLanguage, created_at: now, updated_at: now },
              trx,
            );
          } else if (userId) {
            await deps.users.update(userId, { password_hash: passwordHash, name: name ?? owner?.name ?? null, status: 'active', language: accountLanguage, updated_at: now }, trx);
          }
          if (!userId) throw new AppError('token_invalid');
          await deps.mail.enqueue({ to: address, template: 'password-changed', language: accountLanguage, data: { when: now } }, trx);
          await deps.audit.write({ actor: { ...actor, userId }, action: 'operator.activate', target: { type: 'user', id: userId }, result: 'allowed' }, trx);
          return { userId };
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', `${address} already has an account.`);
        throw err;
      }
    },
  };
}

export type OperatorSetupService = ReturnType<typeof createOperatorSetupService>;
