import { Redis } from 'ioredis';
import type { Config } from '../lib/config.js';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import { loadBlocklist } from '../shared/password-policy/index.js';
import type { Logger } from '../lib/logger.js';
import { openDatabase, type Db } from './db/database.js';
import { migrateToLatest, schemaStatus } from './db/migrate.js';
import { createAccountLinks } from './modules/accounts/account-links.js';
import { createAccountsRepo } from './modules/accounts/accounts-repo.js';
import { createPasswordCheck } from './modules/accounts/password-check.js';
import { createPasswordResetService, type PasswordResetService } from './modules/accounts/password-reset-service.js';
import { createProfileService, type ProfileService } from './modules/accounts/profile-service.js';
import { createRegistrationService, type RegistrationService } from './modules/accounts/registration-service.js';
import { createAuditWriter, type Actor, type AuditWriter } from './modules/audit/audit-writer.js';
import { createOperatorSetupService, type OperatorSetupService } from './modules/auth/operator-setup-service.js';
import { createSessionService, type SessionService } from './modules/auth/session-service.js';
import { createSessionsRepo } from './modules/auth/sessions-repo.js';
import { createSignInGuard, type SignInLimits } from './modules/auth/sign-in-guard.js';
import { createSignInGuardRepo } from './modules/auth/sign-in-guard-repo.js';
import { createSignInService, type SignInService } from './modules/auth/sign-in-service.js';
import { createUserAdminService, type UserAdminService } from './modules/auth/user-admin-service.js';
import { createTokensRepo } from './modules/auth/tokens-repo.js';
import { createUsersRepo } from './modules/auth/users-repo.js';
import type { Readiness } from './modules/health/health-routes.js';
import { createMailDeliverer, createSmtpTransport, type MailDeliverer, type MailTransport } from './modules/mail/mail-deliverer.js';
import { createMailRepo } from './modules/mail/mail-repo.js';
import { createMailService, type MailService } from './modules/mail/mail-service.js';
import { createMfaRepo } from './modules/mfa/mfa-repo.js';
import { createMfaService, type MfaService } from './modules/mfa/mfa-service.js';
import { createCustomersService, type CustomersService } from './modules/customers/customers-service.js';
import { createDevicesService, type DevicesService } from './modules/devices/devices-service.js';
import { createImportService, type ImportService } from './modules/imports/import-service.js';
import { createKeyVersionsService, type KeyVersionsService } from './modules/keys/key-versions-service.js';
import { createTelegramCheckService, type TelegramCheckService } from './modules/telegram-check/telegram-check-service.js';
import { createSuperuserLinksRepo } from './modules/superusers/superuser-links-repo.js';
import { createSuperusersService, type SuperusersService } from './modules/superusers/superusers-service.js';
import { createAccessRequestDigest, type AccessRequestDigest } from './modules/access-requests/access-request-digest.js';
import { createAccessRequestsService, type AccessRequestsService } from './modules/access-requests/access-requests-service.js';
import { createSettingsRepo } from './modules/settings/settings-repo.js';
import { createSettingsService, type SettingsService } from './modules/settings/settings-service.js';
import { openMasterKeyProvider, type MasterKeyProvider } from './vault/master-key/index.js';
import { createVault, type Vault } from './vault/vault-service.js';

/** What the service does on its own (first boot), as the audit trail names it. */
const systemActor: Actor = { userId: null, role: 'system', ip: null, userAgent: 'openeks', requestId: null, authMethod: 'none' };

export interface Container {
  config: Config;
  clock: Clock;
  logger: Logger;
  db: Db;
  redis: Redis | undefined;
  vault: Vault;
  audit: AuditWriter;
  mail: MailService;
  mailDeliverer: MailDeliverer;
  sessions: SessionService;
  signIn: SignInService;
  mfa: MfaService;
  userAdmin: UserAdminService;
  operatorSetup: OperatorSetupService;
  registration: RegistrationService;
  passwordResets: PasswordResetService;
  profile: ProfileService;
  settings: SettingsService;
  customers: CustomersService;
  devices: DevicesService;
  keyVersions: KeyVersionsService;
  imports: ImportService;
  telegramCheck: TelegramCheckService;
  superusers: SuperusersService;
  accessRequests: AccessRequestsService;
  accessRequestDigest: AccessRequestDigest;
  readiness: Readiness;
  close(): Promise<void>;
}

export interface ContainerOptions {
  config: Config;
  clock: Clock;
  logger: Logger;
  /** Apply pending migrations at boot (the default for `serve`; `migrate` does it on its own). */
  migrate?: boolean;
  /** Replace the SMTP transport (tests of failure paths); the default follows OPENEKS_SMTP_URL. */
  mailTransport?: MailTransport;
  /** Replace the audit writer (the fail-closed test injects a failing one). */
  audit?: AuditWriter;
  masterKeyProvider?: MasterKeyProvider;
  /** Brute-force limits (SEC-21); the defaults suit production, tests and benches raise or lower them. */
  signInLimits?: Partial<SignInLimits>;
  /** How long a new superuser request waits for others before the operators' mail (default 60 s). */
  accessRequestDigestMs?: number;
  /** Where a `pkcs11:` spec looks up `pin=env:NAME`; main.ts passes process.env. */
  providerEnv?: Readonly<Record<string, string | undefined>>;
}

/** The composition root: repos, then services, wired by hand (docs/style.md 1). */
export async function createContainer(options: ContainerOptions): Promise<Container> {
  const { config, clock, logger } = options;
  const db = openDatabase(config.databaseUrl);
  try {
    if (options.migrate !== false) await migrateToLatest(db);
    const schema = await schemaStatus(db);
    if (schema.unknown.length > 0) throw new Error(`the database was migrated by a newer openeks (${schema.unknown.join(', ')}); refusing to start`);
    if (schema.pending.length > 0) throw new Error(`the database needs migrations (${schema.pending.join(', ')}): run \`openeks migrate\``);
  } catch (err) {
    await db.close();
    throw err;
  }

  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  redis?.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis unavailable; rate limits fall back per request'));

  const provider = options.masterKeyProvider ?? (await openMasterKeyProvider(config.masterKey, { env: options.providerEnv ?? {}, variable: 'OPENEKS_MASTER_KEY' }));
  const audit = options.audit ?? createAuditWriter({ kind: db.kind, clock });
  const vault = createVault({
    db,
    clock,
    provider,
    logger,
    onCreate: (trx) => audit.write(trx, { actor: systemActor, action: 'vault.init', target: { type: 'master-key', id: provider.label }, result: 'allowed' }),
  });
  const status = await vault.init();
  if (status.sealed) logger.error({ label: status.label, reason: status.reason }, 'key vault sealed');

  const mailRepo = createMailRepo(db);
  const mail = createMailService({ repo: mailRepo, clock, mode: config.smtpUrl || options.mailTransport ? 'smtp' : 'outbox' });
  const transport = options.mailTransport ?? (config.smtpUrl ? createSmtpTransport(config.smtpUrl) : undefined);
  const mailDeliverer = createMailDeliverer({ repo: mailRepo, clock, transport: transport ?? { sendMail: async () => undefined }, from: config.mailFrom, logger });

  // The password blocklist (SEC-19) is loaded before any service can check a password.
  await loadBlocklist();
  const settings = createSettingsService({ db, settings: createSettingsRepo(db.kysely), audit, clock });
  const users = createUsersRepo(db.kysely);
  const sessionsRepo = createSessionsRepo(db.kysely);
  const mfaRepo = createMfaRepo(db.kysely);
  const superuserLinks = createSuperuserLinksRepo(db.kysely);
  const sessions = createSessionService({ db, sessions: sessionsRepo, mfa: mfaRepo, links: superuserLinks, audit, clock });
  // Sign-in, brute force and the second factor (issue 3: SEC-20 … SEC-22, SEC-24).
  const guard = createSignInGuard({ db, repo: createSignInGuardRepo(db.kysely), audit, clock, limits: options.signInLimits });
  const signIn = createSignInService({ db, users, sessions, guard, clock });
  const mfa = createMfaService({ db, users, repo: mfaRepo, sessionStore: sessionsRepo, sessions, guard, vault, audit, mail: afterCommitKick(mail, mailDeliverer), clock });
  const userAdmin = createUserAdminService({ db, users, sessions: sessionsRepo, audit, clock });
  const operatorSetup = createOperatorSetupService({ db, users, tokens: createTokensRepo(db.kysely), passwordPolicy: settings, audit, mail: afterCommitKick(mail, mailDeliverer), clock, publicUrl: config.publicUrl });
  // Account self-service: registration, forgot password, profile (issue 3).
  const accountMail = afterCommitKick(mail, mailDeliverer);
  const accounts = createAccountsRepo(db.kysely);
  const accountLinks = createAccountLinks({ tokens: createTokensRepo(db.kysely), clock, publicUrl: config.publicUrl });
  const checkPassword = createPasswordCheck({ settings });
  const registration = createRegistrationService({ db, users, accounts, links: accountLinks, audit, mail: accountMail, sessions, checkPassword, clock });
  const passwordResets = createPasswordResetService({ db, users, accounts, sessionStore: sessionsRepo, mfa: mfaRepo, links: accountLinks, audit, mail: accountMail, checkPassword, clock });
  const profile = createProfileService({ db, users, sessionStore: sessionsRepo, mfa: mfaRepo, audit, mail: accountMail, checkPassword, clock });

  // Inventory (issue 5): customer accounts, devices, key versions, imports, the telegram check.
  const customers = createCustomersService({ db, audit, clock });
  const devices = createDevicesService({ db, clock });
  const keyVersions = createKeyVersionsService({ db, vault, audit, clock });
  const imports = createImportService({ db, vault, audit, clock, logger });
  const telegramCheck = createTelegramCheckService({ db, vault, audit, clock });

  // Superuser access (issue 6): requests, decisions, links.
  const superusers = createSuperusersService({ db, links: superuserLinks, users, sessions: sessionsRepo, audit, clock });
  const accessRequestDigest = createAccessRequestDigest({ db, users, mail: accountMail, clock, logger, delayMs: options.accessRequestDigestMs ?? 60_000, publicUrl: config.publicUrl });
  const accessRequests = createAccessRequestsService({ db, superusers, audit, mail: accountMail, clock, publicUrl: config.publicUrl, onCreated: () => accessRequestDigest.kick() });

  const readiness: Readiness = {
    async check() {
      try {
        await db.ping();
      } catch (err) {
        throw new AppError('database_unavailable', undefined, { cause: err });
      }
      const now = vault.status();
      if (now.sealed) throw new AppError('sealed', `The key vault is sealed: ${now.reason ?? now.label}`);
    },
  };

  return {
    config,
    clock,
    logger,
    db,
    redis,
    vault,
    audit,
    mail,
    mailDeliverer,
    sessions,
    signIn,
    mfa,
    userAdmin,
    operatorSetup,
    registration,
    passwordResets,
    profile,
    settings,
    customers,
    devices,
    keyVersions,
    imports,
    telegramCheck,
    superusers,
    accessRequests,
    accessRequestDigest,
    readiness,
    async close() {
      await accessRequestDigest.stop();
      await mailDeliverer.stop();
      await vault.close();
      await provider.close();
      redis?.disconnect();
      await db.close();
    },
  };
}

/**
 * Mail is enqueued inside a transaction; the deliverer is nudged right after, so a mail caused by
 * a request usually leaves within a second. If the transaction rolled back, the nudge finds nothing.
 */
function afterCommitKick(mail: MailService, deliverer: MailDeliverer): Pick<MailService, 'enqueue'> {
  return {
    async enqueue(input, trx) {
      const queued = await mail.enqueue(input, trx);
      setTimeout(() => deliverer.kick(), 50).unref();
      return queued;
    },
  };
}
