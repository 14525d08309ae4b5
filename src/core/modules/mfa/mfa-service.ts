import QRCode from 'qrcode';
import type { Clock } from '../../../lib/clock.js';
import { burnPasswordCheck, verifyPassword } from '../../../lib/crypto/passwords.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import type { Db, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { UserRow } from '../../db/schema.js';
import type { Vault } from '../../vault/vault-service.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { PersonPrincipal as Principal } from '../../access/principal.js';
import type { NewSession, SessionService } from '../auth/session-service.js';
import type { SessionsRepo } from '../auth/sessions-repo.js';
import { accountLock, type Refusal, type SignInGuard } from '../auth/sign-in-guard.js';
import type { UsersRepo } from '../auth/users-repo.js';
import type { MailService } from '../mail/mail-service.js';
import { mfaRequired, stepUpDue } from '../../access/session-policy.js';
import type { MfaRepo } from './mfa-repo.js';
import { hashRecoveryCode, newRecoveryCode, recoveryCodeCount } from './recovery-codes.js';
import { base32Of, matchTotp, newTotpSeed, totpUri } from './totp.js';

// Two-factor sign-in (SEC-22): TOTP enrolment with recovery codes, the second sign-in step,
// switching it off. Invariants in README.md.

/** SEC-25: changing the second factor needs a password proved within the last 5 minutes. */

export interface MfaStatus {
  required: boolean;
  totp: 'off' | 'pending' | 'on';
  confirmedAt: string | null;
  recoveryCodesLeft: number;
}

export interface TotpEnrolment {
  /** base32, for typing into an app that cannot scan. */
  secret: string;
  otpauthUri: string;
  /** The URI as a QR code, a PNG data: URL. */
  qrDataUrl: string;
}

/** A refusal found inside a transaction: rolls it back, then is recorded on its own. */
class Refused extends Error {
  constructor(
    readonly reason: string,
    readonly countAccount: boolean,
  ) {
    super(reason);
  }
}

export function createMfaService(deps: {
  db: Db;
  users: Pick<UsersRepo, 'findById'>;
  repo: MfaRepo;
  sessionStore: Pick<SessionsRepo, 'setAuthenticatedAt' | 'setAalOfUser'>;
  sessions: Pick<SessionService, 'rotate'>;
  signInGuard: SignInGuard;
  vault: Pick<Vault, 'encrypt' | 'decrypt'>;
  audit: AuditWriter;
  mail: Pick<MailService, 'enqueue'>;
  clock: Clock;
}) {
  const seedContext = (userId: string) => ({ table: 'mfa_totp', userId });

  async function userOf(principal: Principal): Promise<UserRow> {
    const user = await deps.users.findById(principal.userId);
    if (!user) throw new AppError('unauthenticated');
    return user;
  }

  async function seedOf(row: { user_id: string; secret_ciphertext: string }): Promise<Buffer> {
    return deps.vault.decrypt({ ciphertext: row.secret_ciphertext, context: seedContext(row.user_id) });
  }

  function refuse(refusal: Omit<Refusal, 'countIp'> & { countIp?: boolean }): Promise<void> {
    return deps.signInGuard.refuse({ countIp: true, ...refusal });
  }

  /** A password confirmed inside a session (step-up): a wrong one counts like a failed sign-in. */
  async function confirmPassword(user: UserRow, password: string, actor: Actor, action: Refusal['action']): Promise<void> {
    let ok = false;
    if (user.password_hash) ok = await verifyPassword(user.password_hash, password);
    else await burnPasswordCheck(password);
    const lock = accountLock(user, deps.clock.now());
    if (lock !== null || !ok) {
      await refuse({ actor, user, action, reason: lock === 'hard' ? 'hard locked' : lock === 'temporary' ? 'locked' : 'wrong password', countAccount: lock === null });
      throw new AppError('invalid_credentials', 'The password is wrong.');
    }
  }

  async function notify(user: UserRow, change: 'enabled' | 'disabled', when: string, trx: Executor): Promise<void> {
    await deps.mail.enqueue({ to: user.email, template: 'two-factor-changed', language: user.language, data: { when, change } }, trx);
  }

  return {
    async status({ principal }: { principal: Principal }): Promise<MfaStatus> {
      const user = await userOf(principal);
      const row = await deps.repo.findTotp(user.id);
      const on = row?.confirmed_at != null;
      return {
        required: mfaRequired(user, { superuser: principal.customerAccountIds.length > 0 }),
        totp: on ? 'on' : row ? 'pending' : 'off',
        confirmedAt: row?.confirmed_at ?? null,
        recoveryCodesLeft: on ? await deps.repo.countUnusedRecoveryCodes(user.id) : 0,
      };
    },

    /**
     * A new, unconfirmed seed (replacing an unconfirmed one), stored encrypted by the vault. A
     * signed-in session proves its password again unless it did within 5 minutes; an
     * enrolment-only session has just proved it.
     */
    async beginEnrolment({ principal, password, actor }: { principal: Principal; password?: string | undefined; actor: Actor }): Promise<TotpEnrolment> {
      const user = await userOf(principal);
      if (await deps.repo.hasConfirmedTotp(user.id)) throw new AppError('conflict', 'Two-factor sign-in is already set up for this account.');
      const now = deps.clock.now();
      if (typeof password === 'string') {
        await confirmPassword(user, password, actor, 'mfa.enrol');
        await deps.sessionStore.setAuthenticatedAt(principal.sessionId, now.toISOString());
      } else if (principal.stage === 'complete' && stepUpDue(principal, now)) {
        throw new AppError('step_up_required');
      }
      const seed = newTotpSeed();
      const { ciphertext } = await deps.vault.encrypt({ plaintext: seed, context: seedContext(user.id) });
      try {
        const stored = await deps.db.kysely.transaction().execute((trx) => deps.repo.putPendingTotp({ userId: user.id, secretCiphertext: ciphertext, createdAt: now.toISOString() }, trx));
        if (!stored) throw new AppError('conflict', 'Two-factor sign-in is already set up for this account.');
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('conflict', 'Two-factor sign-in is being set up in another window at the same moment.');
        throw err;
      }
      const otpauthUri = totpUri(seed, user.email);
      const qrDataUrl = await QRCode.toDataURL(otpauthUri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
      return { secret: base32Of(seed), otpauthUri, qrDataUrl };
    },

    /**
     * The first code from the app confirms the seed; 10 recovery codes are made (shown this once,
     * stored hashed) and the session is replaced by a fresh one at assurance level 2.
     */
    async confirmEnrolment({ principal, code, actor }: { principal: Principal; code: string; actor: Actor }): Promise<{ recoveryCodes: string[]; session: NewSession }> {
      const user = await userOf(principal);
      const row = await deps.repo.findTotp(user.id);
      if (!row) throw new AppError('conflict', 'Start setting up two-factor sign-in first.');
      if (row.confirmed_at !== null) throw new AppError('conflict', 'Two-factor sign-in is already set up for this account.');
      const now = deps.clock.now();
      const step = matchTotp(await seedOf(row), code, now);
      if (step === null) {
        await refuse({ actor, user, action: 'mfa.enrol', reason: 'wrong code', countAccount: false, countIp: false });
        throw new AppError('mfa_invalid');
      }
      const recoveryCodes = Array.from({ length: recoveryCodeCount }, newRecoveryCode);
      const session = await deps.db.kysely.transaction().execute(async (trx) => {
        if (!(await deps.repo.confirmTotp(user.id, row.secret_ciphertext, now.toISOString(), step, trx))) {
          throw new AppError('conflict', 'Two-factor sign-in was set up in another window meanwhile.');
        }
        await deps.repo.replaceRecoveryCodes(user.id, recoveryCodes.map((c) => ({ id: newId('rc'), codeHash: hashRecoveryCode(c) })), now.toISOString(), trx);
        const fresh = await deps.sessions.rotate({ principal, user, actor, stage: 'complete', aal: 2 }, trx);
        await deps.audit.write({ actor, action: 'mfa.enrol', target: { type: 'user', id: user.id }, result: 'allowed', details: { method: 'totp', recoveryCodes: recoveryCodes.length, session: fresh.principal.sessionId } }, trx);
        await notify(user, 'enabled', now.toISOString(), trx);
        return fresh;
      });
      return { recoveryCodes, session };
    },

    /**
     * The second sign-in step: a TOTP code (each time step once) or an unused recovery code. A
     * wrong or replayed one counts toward the account's and the address's brute-force counters;
     * success ends the run of failures and replaces the session by a fresh one (SEC-24).
     */
    async verifySignIn({ principal, code, recoveryCode, actor }: { principal: Principal; code?: string | undefined; recoveryCode?: string | undefined; actor: Actor }): Promise<NewSession> {
      if (principal.stage !== 'mfa') throw new AppError('conflict', 'This session is not waiting for a second factor.');
      const method = code !== undefined ? 'totp' : 'recovery-code';
      const user = await userOf(principal);
      const fail = async (reason: string, counts: { account: boolean; ip: boolean }): Promise<never> => {
        await refuse({ actor, user, action: 'mfa.verify', reason, countAccount: counts.account, countIp: counts.ip, details: { method } });
        throw new AppError('mfa_invalid');
      };
      if (await deps.signInGuard.ipLocked(actor.ip)) return fail('ip throttled', { account: false, ip: false });
      const lock = accountLock(user, deps.clock.now());
      if (lock !== null) return fail(lock === 'hard' ? 'hard locked' : 'locked', { account: false, ip: true });
      const row = await deps.repo.findTotp(user.id);
      if (!row || row.confirmed_at === null) return fail('no second factor', { account: false, ip: true });

      const now = deps.clock.now();
      let step: number | null = null;
      if (code !== undefined) {
        step = matchTotp(await seedOf(row), code, now);
        if (step === null) return fail('wrong code', { account: true, ip: true });
      }
      const codeHash = recoveryCode !== undefined ? hashRecoveryCode(recoveryCode) : null;
      try {
        return await deps.db.kysely.transaction().execute(async (trx) => {
          if (step !== null && !(await deps.repo.claimStep(user.id, step, trx))) throw new Refused('replayed code', true);
          if (codeHash !== null && !(await deps.repo.consumeRecoveryCode(user.id, codeHash, now.toISOString(), trx))) throw new Refused('wrong or used recovery code', true);
          if (!(await deps.signInGuard.claimSuccess(user.id, { reset: true }, trx))) throw new Refused('locked', false);
          const fresh = await deps.sessions.rotate({ principal, user, actor, stage: 'complete', aal: 2 }, trx);
          await deps.audit.write({ actor, action: 'mfa.verify', target: { type: 'user', id: user.id }, result: 'allowed', details: { method, session: fresh.principal.sessionId } }, trx);
          return fresh;
        });
      } catch (err) {
        if (err instanceof Refused) return fail(err.reason, { account: err.countAccount, ip: true });
        throw err;
      }
    },

    /**
     * Step-up (SEC-25, docs/downloads.md "Step-up"): the password again, and a current code where
     * TOTP is on (each time step once, so a replayed code is refused). A wrong password counts
     * like a failed sign-in (`session.deny`), a wrong or replayed code like a failed second step
     * (`mfa.verify`). Success sets the session's authenticated_at, audited `session.reauth`.
     */
    async reauth({ principal, password, code, actor }: { principal: Principal; password: string; code?: string | undefined; actor: Actor }): Promise<void> {
      const user = await userOf(principal);
      await confirmPassword(user, password, actor, 'session.deny');
      const row = await deps.repo.findTotp(user.id);
      const now = deps.clock.now();
      let step: number | null = null;
      if (row?.confirmed_at != null) {
        const wrong = async (reason: string): Promise<never> => {
          await refuse({ actor, user, action: 'mfa.verify', reason, countAccount: true, details: { method: 'totp', purpose: 'reauth' } });
          throw new AppError('mfa_invalid', code === undefined ? 'Enter the code from your authenticator app.' : undefined, { details: [{ field: 'code', reason }] });
        };
        if (code === undefined) return wrong('missing code');
        step = matchTotp(await seedOf(row), code, now);
        if (step === null) return wrong('wrong code');
      }
      try {
        await deps.db.kysely.transaction().execute(async (trx) => {
          if (step !== null && !(await deps.repo.claimStep(user.id, step, trx))) throw new Refused('replayed code', true);
          await deps.sessionStore.setAuthenticatedAt(principal.sessionId, now.toISOString(), trx);
          await deps.audit.write({ actor, action: 'session.reauth', target: { type: 'user', id: user.id }, result: 'allowed', details: { method: step === null ? 'password' : 'password+totp' } }, trx);
        });
      } catch (err) {
        if (err instanceof Refused) {
          await refuse({ actor, user, action: 'mfa.verify', reason: err.reason, countAccount: true, details: { method: 'totp', purpose: 'reauth' } });
          throw new AppError('mfa_invalid', undefined, { details: [{ field: 'code', reason: err.reason }] });
        }
        throw err;
      }
    },

    /**
     * Switches TOTP off for an account that may go without (readers): the password and a current
     * code confirm it. Operators and superusers cannot (mfaRequired).
     */
    async disable({ principal, password, code, actor }: { principal: Principal; password: string; code: string; actor: Actor }): Promise<void> {
      const user = await userOf(principal);
      if (mfaRequired(user, { superuser: principal.customerAccountIds.length > 0 })) throw new AppError('forbidden', 'Your account must keep two-factor sign-in.');
      const row = await deps.repo.findTotp(user.id);
      if (!row || row.confirmed_at === null) throw new AppError('conflict', 'Two-factor sign-in is not switched on for this account.');
      await confirmPassword(user, password, actor, 'mfa.disable');
      const now = deps.clock.now();
      const step = matchTotp(await seedOf(row), code, now);
      const wrong = async (reason: string): Promise<never> => {
        await refuse({ actor, user, action: 'mfa.disable', reason, countAccount: true });
        throw new AppError('mfa_invalid');
      };
      if (step === null) return wrong('wrong code');
      try {
        await deps.db.kysely.transaction().execute(async (trx) => {
          if (!(await deps.repo.claimStep(user.id, step, trx))) throw new Refused('replayed code', true);
          await deps.repo.deleteTotp(user.id, trx);
          await deps.repo.replaceRecoveryCodes(user.id, [], now.toISOString(), trx);
          await deps.sessionStore.setAalOfUser(user.id, 1, trx);
          await deps.audit.write({ actor, action: 'mfa.disable', target: { type: 'user', id: user.id }, result: 'allowed', details: { method: 'totp' } }, trx);
          await notify(user, 'disabled', now.toISOString(), trx);
        });
      } catch (err) {
        if (err instanceof Refused) return wrong(err.reason);
        throw err;
      }
    },
  };
}

export type MfaService = ReturnType<typeof createMfaService>;
