import { Redis } from 'ioredis';
import type { Config, Secrets } from '../lib/config.js';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../shared/errors.js';
import { loadBlocklist } from '../shared/password-policy/index.js';
import type { Logger } from '../lib/logger.js';
import { type AccessGuard, createAccessGuard } from './access/access-guard.js';
import { serviceActor } from './access/actor.js';
import { openDatabase, type Db } from './db/database.js';
import { createSyncFeed } from './db/sync-feed.js';
import { migrateToLatest, schemaStatus } from './db/migrate.js';
import { createAccessRequestDigest, type AccessRequestDigest } from './modules/access-requests/access-request-digest.js';
import { createAccessRequestsRepo } from './modules/access-requests/access-requests-repo.js';
import { createAccessRequestsService, type AccessRequestsService } from './modules/access-requests/access-requests-service.js';
import { createCustomerMatchesRepo } from './modules/access-requests/customer-matches-repo.js';
import { createAccountLinks } from './modules/accounts/account-links.js';
import { createAccountsRepo } from './modules/accounts/accounts-repo.js';
import { createPasswordCheck } from './modules/accounts/password-check.js';
import { createPasswordResetService, type PasswordResetService } from './modules/accounts/password-reset-service.js';
import { createProfileService, type ProfileService } from './modules/accounts/profile-service.js';
import { createRegistrationService, type RegistrationService } from './modules/accounts/registration-service.js';
import { createDenials, type DenialAggregation, type Denials } from './modules/audit/audit-denials.js';
import { createAuditRepo } from './modules/audit/audit-repo.js';
import { createAuditTrailService, type AuditTrailService } from './modules/audit/audit-trail-service.js';
import { createAuditTrailRepo } from './modules/audit/audit-trail-repo.js';
import { createAuditRecordsService, type AuditRecordsService } from './modules/audit/audit-records-service.js';
import { createAuditWriter, type AuditWriter } from './modules/audit/audit-writer.js';
import { createAnchorWriter, type AnchorWriter } from './modules/audit/audit-anchors.js';
import { createAuditKeys, type AuditKeys } from './modules/audit/audit-keys.js';
import { newId } from '../lib/ids.js';
import { createOperatorSetupService, type OperatorSetupService } from './modules/auth/operator-setup-service.js';
import { createSessionService, type SessionService } from './modules/auth/session-service.js';
import { createSessionsRepo } from './modules/auth/sessions-repo.js';
import { createSignInGuard, type SignInLimits } from './modules/auth/sign-in-guard.js';
import { createSignInGuardRepo } from './modules/auth/sign-in-guard-repo.js';
import { createSignInService, type SignInService } from './modules/auth/sign-in-service.js';
import { createTokensRepo } from './modules/auth/tokens-repo.js';
import { createUserAdminService, type UserAdminService } from './modules/auth/user-admin-service.js';
import { createUsersRepo } from './modules/auth/users-repo.js';
import { createCustomersRepo } from './modules/customers/customers-repo.js';
import { createCustomersService, type CustomersService } from './modules/customers/customers-service.js';
import { seedDemo } from './modules/demo/demo-seed-service.js';
import { createDeviceSelections } from './modules/devices/device-selection.js';
import { createDevicesRepo } from './modules/devices/devices-repo.js';
import { createDevicesService, type DevicesService } from './modules/devices/devices-service.js';
import { createCompromiseNotice } from './modules/grants/grant-mail.js';
import { createGrantsRepo } from './modules/grants/grants-repo.js';
import { createGrantsService, type GrantsService } from './modules/grants/grants-service.js';
import type { Readiness } from './modules/health/health-routes.js';
import { createImportService, type ImportService } from './modules/imports/import-service.js';
import { createImportsRepo } from './modules/imports/imports-repo.js';
import { createKeyReader, type KeyReader } from './modules/keys/key-reader.js';
import { createKeyVersionsService, type KeyVersionsService } from './modules/keys/key-versions-service.js';
import { createKeysRepo } from './modules/keys/keys-repo.js';
import { createMailDeliverer, createSmtpTransport, type MailDeliverer, type MailTransport } from './modules/mail/mail-deliverer.js';
import { createMailRepo } from './modules/mail/mail-repo.js';
import { createMailService, type MailService } from './modules/mail/mail-service.js';
import { createOutboxFolderTransport } from './modules/mail/outbox-folder.js';
import { createOutboxService, type OutboxService } from './modules/mail/outbox-service.js';
import { createMfaRepo } from './modules/mfa/mfa-repo.js';
import { createMfaService, type MfaService } from './modules/mfa/mfa-service.js';
import { createSigningKeys, type SigningKeys } from './modules/signing/signing-keys.js';
import { createSettingsRepo } from './modules/settings/settings-repo.js';
import { createSettingsService, type SettingsService } from './modules/settings/settings-service.js';
import { createSuperuserLinksRepo } from './modules/superusers/superuser-links-repo.js';
import { createSuperusersService, type SuperusersService } from './modules/superusers/superusers-service.js';
import { createCursorKeys } from './modules/sync/sync-cursor.js';
import { createSyncRepo } from './modules/sync/sync-repo.js';
import { createSyncService, type SyncService } from './modules/sync/sync-service.js';
import { createAuditBatch, type AuditBatch } from './modules/audit/audit-batch.js';
import { createKeyFetchService, type KeyFetchService } from './modules/keys/key-fetch-service.js';
import { createApiTokensRepo } from './modules/tokens/tokens-repo.js';
import { createTokensService, type TokensService } from './modules/tokens/tokens-service.js';
import { createTelegramCheckService, type TelegramCheckService } from './modules/telegram-check/telegram-check-service.js';
import { createVaultStatusService, type VaultStatusService } from './modules/vault-status/vault-status-service.js';
import { openMasterKeyProvider, type MasterKeyProvider } from './vault/master-key/index.js';
import { createVault, type Vault } from './vault/vault-service.js';

export interface Container {
  config: Config;
  clock: Clock;
  logger: Logger;
  db: Db;
  redis: Redis | undefined;
  vault: Vault;
  audit: AuditWriter;
  /** The chain keys (SEC-14), open while the vault is unsealed. */
  auditKeys: AuditKeys;
  /** The service's Ed25519 key: signs downloads and key-sync answers, published at /.well-known/openeks-signing-key. */
  signingKeys: SigningKeys;
  /** Writes this instance's anchors of the audit chain's head. */
  auditAnchors: AnchorWriter;
  /** The access checks every service runs; the auth hook shares its denial recorder. */
  guard: AccessGuard;
  recordDenial: Parameters<typeof createAccessGuard>[0]['recordDenial'];
  /** Behind recordDenial: folds repeated refusals into one record; close() writes what is pending. */
  denials: Denials;
  auditTrail: AuditTrailService;
  /** The trail every user reads: the records of the devices he may see (docs/audit-trail.md). */
  auditRecords: AuditRecordsService;
  mail: MailService;
  outbox: OutboxService;
  /** Where mail goes without SMTP (one .eml file each); undefined when it goes over SMTP. */
  outboxFolder: string | undefined;
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
  vaultStatus: VaultStatusService;
  customers: CustomersService;
  devices: DevicesService;
  grants: GrantsService;
  keys: KeyReader;
  keyVersions: KeyVersionsService;
  imports: ImportService;
  demo: { seed(input: Parameters<typeof seedDemo>[1]): ReturnType<typeof seedDemo> };
  telegramCheck: TelegramCheckService;
  superusers: SuperusersService;
  /** The key sync for gateway and concentrator tokens (docs/key-sync.md). */
  sync: SyncService;
  accessRequests: AccessRequestsService;
  accessRequestDigest: AccessRequestDigest;
  /** API tokens (docs/api-tokens.md): Bearer authentication, the user's and the operators' lists. */
  tokens: TokensService;
  /** Audit records committed in groups before their answers leave (audit-batch.ts). */
  auditBatch: AuditBatch;
  /** `GET /api/devices/:id/keys`: a device's active keys, audited before they leave. */
  keyFetch: KeyFetchService;
  readiness: Readiness;
  close(): Promise<void>;
}

export interface ContainerOptions {
  config: Config;
  /** The master key spec and the SMTP URL: used here, never handed on as they are (src/lib/config.ts). */
  secrets: Secrets;
  clock: Clock;
  logger: Logger;
  /** Apply pending migrations at boot (the default for `serve`; `migrate` does it on its own). */
  migrate?: boolean;
  /** Replace the SMTP transport (tests of failure paths); the default follows secrets.smtpUrl. */
  mailTransport?: MailTransport;
  /** Replace the audit writer (the fail-closed test injects a failing one). */
  audit?: AuditWriter;
  masterKeyProvider?: MasterKeyProvider;
  /** Brute-force limits (SEC-21); the defaults suit production, tests and benches raise or lower them. */
  signInLimits?: Partial<SignInLimits>;
  /** How often the audit chain's head is anchored (default 60 s; also at shutdown). */
  auditAnchorIntervalMs?: number;
  /** How long a new superuser request waits for others before the operators' mail (default 60 s). */
  accessRequestDigestMs?: number;
  /** How repeated refusals are folded into one audit record (default: one window of 60 s). */
  denialAggregation?: Partial<DenialAggregation>;
}

/** The composition root: repos, then services, wired by hand (docs/style.md 1). */
export async function createContainer(options: ContainerOptions): Promise<Container> {
  const { config, clock, logger } = options;
  const db = openDatabase(options.secrets.databaseUrl.reveal(), { warn: (message) => logger.warn({}, message) });
  try {
    if (options.migrate !== false) await migrateToLatest(db);
    const schema = await schemaStatus(db);
    if (schema.unknown.length > 0) throw new Error(`the database was migrated by a newer openeks (${schema.unknown.join(', ')}); refusing to start`);
    if (schema.pending.length > 0) throw new Error(`the database needs migrations (${schema.pending.join(', ')}): run \`openeks migrate\``);
  } catch (err) {
    await db.close();
    throw err;
  }

  const redisUrl = options.secrets.redisUrl?.reveal();
  const redis = redisUrl ? new Redis(redisUrl, { lazyConnect: false, maxRetriesPerRequest: 1, enableOfflineQueue: false }) : undefined;
  redis?.on('error', (err: Error) => logger.warn({ err: err.message }, 'redis unavailable; rate limits fall back per request'));

  const provider = options.masterKeyProvider ?? (await openMasterKeyProvider(options.secrets.masterKey));
  const vault: Vault = createVault({
    db,
    clock,
    provider,
    logger,
    onCreate: (trx) => audit.write({ actor: serviceActor, action: 'vault.init', target: { type: 'master-key', id: provider.label }, result: 'allowed' }, trx),
  });
  // The chain keys come from the vault; the writer MACs with them once they are open (SEC-14).
  const auditKeys = createAuditKeys({ db, vault, clock });
  const audit = options.audit ?? createAuditWriter({ dialect: db.dialect, clock, keys: auditKeys });
  const status = await vault.init();
  if (status.sealed) logger.error({ label: status.label, reason: status.reason }, 'key vault sealed');
  else {
    // A chain key that does not open leaves new records plain and verify reporting it; the
    // service still starts, like it does with a sealed vault.
    await auditKeys
      .open({
        create: true,
        onCreate: (trx) => audit.write({ actor: serviceActor, action: 'audit.key_create', target: { type: 'audit-chain-key', id: '1' }, result: 'allowed', details: { epoch: 1 } }, trx),
      })
      .catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'audit chain key not opened; new audit records are not keyed'));
  }
  // The Ed25519 key that signs downloads and key-sync answers (docs/downloads.md): made at the
  // first start with an unsealed vault; one that does not open means nothing is signed (503).
  const signingKeys = createSigningKeys({ db, vault, clock });
  if (!status.sealed) {
    await signingKeys
      .open({
        create: true,
        onCreate: (trx, keyId) => audit.write({ actor: serviceActor, action: 'signing_key.create', target: { type: 'signing-key', id: keyId }, result: 'allowed' }, trx),
      })
      .catch((err: unknown) => logger.error({ err: err instanceof Error ? err.message : String(err) }, 'signing key not opened; downloads and key-sync answers are refused'));
  }
  const auditAnchors = createAnchorWriter({ db: db.kysely, keys: auditKeys, file: config.auditAnchors, instance: newId('ins'), clock, logger, intervalMs: options.auditAnchorIntervalMs ?? 60_000 });
  auditAnchors.start();

  // Repositories: every one is built here, on the service's database (docs/architecture.md).
  const repos = {
    users: createUsersRepo(db.kysely),
    sessions: createSessionsRepo(db.kysely),
    tokens: createTokensRepo(db.kysely),
    mfa: createMfaRepo(db.kysely),
    signInGuard: createSignInGuardRepo(db.kysely),
    accounts: createAccountsRepo(db.kysely),
    settings: createSettingsRepo(db.kysely),
    sync: createSyncRepo(db.kysely),
    mail: createMailRepo(db),
    audit: createAuditRepo(db.kysely),
    auditTrail: createAuditTrailRepo(db.kysely),
    superuserLinks: createSuperuserLinksRepo(db.kysely),
    customers: createCustomersRepo(db.kysely),
    customerMatches: createCustomerMatchesRepo(db.kysely),
    devices: createDevicesRepo(db),
    keys: createKeysRepo(db.kysely),
    imports: createImportsRepo(db.kysely),
    accessRequests: createAccessRequestsRepo(db.kysely),
    grants: createGrantsRepo(db.kysely),
    apiTokens: createApiTokensRepo(db.kysely),
  };

  // Access: every service checks its caller through the guard; refusals are audited (SEC-13).
  const denials = createDenials({ db, audit, clock, aggregation: options.denialAggregation, warn: (message, err) => logger.warn({ err }, message) });
  const recordDenial = denials.record;
  const guard = createAccessGuard({ recordDenial });
  const auditTrail = createAuditTrailService({ repo: repos.audit, guard, keys: auditKeys, anchorFile: config.auditAnchors });
  const auditRecords = createAuditRecordsService({ repo: repos.auditTrail, guard });

  // Mail: bodies sealed by the vault until delivered; without SMTP, delivered to the development
  // outbox folder as .eml files (modules/mail/README.md).
  const smtpUrl = options.secrets.smtpUrl;
  const outboxFolder = smtpUrl || options.mailTransport ? undefined : config.outboxDir;
  const mail = createMailService({ repo: repos.mail, vault, clock });
  const transport = options.mailTransport ?? (smtpUrl ? createSmtpTransport(smtpUrl.reveal()) : createOutboxFolderTransport({ folder: config.outboxDir, logger }));
  const mailDeliverer = createMailDeliverer({ repo: repos.mail, vault, clock, transport, delivered: outboxFolder === undefined ? 'sent' : 'stored', from: config.mailFrom, logger });
  const outbox = createOutboxService({ mail, db, guard, audit });
  const queuedMail = afterCommitKick(mail, mailDeliverer);

  // The password blocklist (SEC-19) is loaded before any service can check a password.
  await loadBlocklist();
  const settings = createSettingsService({ db, settings: repos.settings, guard, audit, clock });
  const vaultStatus = createVaultStatusService({ vault, guard });
  const sessions = createSessionService({ db, sessions: repos.sessions, mfa: repos.mfa, links: repos.superuserLinks, audit, clock });
  // Sign-in, brute force and the second factor (SEC-20 … SEC-22, SEC-24).
  const signInGuard = createSignInGuard({ db, repo: repos.signInGuard, audit, clock, limits: options.signInLimits });
  const signIn = createSignInService({ db, users: repos.users, sessions, signInGuard, clock });
  const mfa = createMfaService({ db, users: repos.users, repo: repos.mfa, sessionStore: repos.sessions, sessions, signInGuard, vault, audit, mail: queuedMail, clock });
  // The key sync's change feed (docs/key-sync.md): appended by every change of who reads which key.
  const syncFeed = createSyncFeed({ dialect: db.dialect });
  const userAdmin = createUserAdminService({ db, users: repos.users, sessions: repos.sessions, guard, audit, clock, syncFeed });
  const operatorSetup = createOperatorSetupService({ db, users: repos.users, tokens: repos.tokens, passwordPolicy: settings, guard, audit, mail: queuedMail, clock, publicUrl: config.publicUrl });
  // Account self-service: registration, forgot password, profile.
  const accountLinks = createAccountLinks({ tokens: repos.tokens, clock, publicUrl: config.publicUrl });
  const checkPassword = createPasswordCheck({ settings });
  const registration = createRegistrationService({
    db,
    users: repos.users,
    accounts: repos.accounts,
    links: accountLinks,
    audit,
    mail: queuedMail,
    sessions,
    checkPassword,
    clock,
    invitedDevices: (userId) => repos.grants.activeCount(userId),
  });
  const passwordResets = createPasswordResetService({
    db,
    users: repos.users,
    accounts: repos.accounts,
    sessionStore: repos.sessions,
    mfa: repos.mfa,
    links: accountLinks,
    guard,
    audit,
    mail: queuedMail,
    checkPassword,
    clock,
  });
  const profile = createProfileService({ db, users: repos.users, sessionStore: repos.sessions, mfa: repos.mfa, audit, mail: queuedMail, checkPassword, clock });

  // Inventory: customer accounts, devices, key versions, imports, the telegram check.
  const customers = createCustomersService({ db, repo: repos.customers, guard, audit, clock });
  const devices = createDevicesService({ repo: repos.devices, guard, clock });
  const keys = createKeyReader({ repo: repos.keys, vault, guard });
  // Read rights (docs/grants.md): grants on selections, invitations, the compromise notice.
  const selections = createDeviceSelections({ repo: repos.devices, guard });
  const grants = createGrantsService({ db, repo: repos.grants, users: repos.users, selections, links: accountLinks, mail: queuedMail, audit, guard, clock, syncFeed });
  const compromiseNotice = createCompromiseNotice({ repo: repos.grants, mail: queuedMail, audit, page: (path) => accountLinks.page(path) });
  const keyVersions = createKeyVersionsService({ db, repo: repos.keys, guard, audit, vault, clock, syncFeed, onCompromised: compromiseNotice });
  const imports = createImportService({ db, repo: repos.imports, guard, vault, audit, clock, logger, syncFeed });
  const demo = { seed: (input: Parameters<typeof seedDemo>[1]) => seedDemo({ db, customers: repos.customers, imports, guard, audit, clock }, input) };
  // The key sync (docs/key-sync.md): answers signed by the service's key, encrypted to the token's
  // X25519 key when it has one.
  const sync = createSyncService({
    db,
    repo: repos.sync,
    guard,
    vault,
    audit,
    clock,
    cursors: createCursorKeys({ db: db.kysely, settings: repos.settings, vault, clock }),
    settings: repos.settings,
    signer: () => signingKeys.signer(),
    publicKeyOf: async (tokenId) => (await repos.apiTokens.byId(tokenId))?.public_key ?? null,
  });
  const telegramCheck = createTelegramCheckService({ db, devices: repos.devices, keys, guard, audit, clock });

  // Superuser access: requests, decisions, links.
  const superusers = createSuperusersService({ db, links: repos.superuserLinks, users: repos.users, sessions: repos.sessions, customers: repos.customers, guard, audit, clock, syncFeed });
  const accessRequestDigest = createAccessRequestDigest({
    db,
    repo: repos.accessRequests,
    users: repos.users,
    mail: queuedMail,
    clock,
    logger,
    delayMs: options.accessRequestDigestMs ?? 60_000,
    publicUrl: config.publicUrl,
  });
  const accessRequests = createAccessRequestsService({
    db,
    repo: repos.accessRequests,
    customers: repos.customerMatches,
    superusers,
    guard,
    audit,
    mail: queuedMail,
    clock,
    publicUrl: config.publicUrl,
    onCreated: () => accessRequestDigest.kick(),
  });

  // API tokens (docs/api-tokens.md).
  const tokens = createTokensService({
    db,
    repo: repos.apiTokens,
    audit,
    guard,
    recordDenial,
    clock,
    async notifyCreated({ userId, name, kind, expiresAt }, trx) {
      const user = await repos.users.findById(userId, trx);
      if (!user) return;
      const data = { when: clock.now(), name, kind, expiresAt, link: accountLinks.page('/profile') };
      await queuedMail.enqueue({ to: user.email, template: 'api-token-created', language: user.language, data }, trx);
    },
  });
  const auditBatch = createAuditBatch({ db, audit });
  const keyFetch = createKeyFetchService({ keys, auditBatch });

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
    auditKeys,
    signingKeys,
    auditAnchors,
    guard,
    recordDenial,
    denials,
    auditTrail,
    auditRecords,
    mail,
    outbox,
    outboxFolder,
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
    vaultStatus,
    customers,
    devices,
    grants,
    keys,
    keyVersions,
    imports,
    demo,
    telegramCheck,
    superusers,
    sync,
    accessRequests,
    accessRequestDigest,
    tokens,
    auditBatch,
    keyFetch,
    readiness,
    async close() {
      await auditBatch.drain();
      await denials.stop();
      await accessRequestDigest.stop();
      await mailDeliverer.stop();
      await auditAnchors.stop();
      auditKeys.wipe();
      signingKeys.wipe();
      await vault.close();
      await provider.close();
      redis?.disconnect();
      await db.close();
    },
  };
}

/**
 * Mail is enqueued inside a transaction; the deliverer is nudged right after, so a mail caused by
 * a request usually leaves within a second. If the transaction commits after the nudge, the
 * deliverer's interval (main.ts: 5 s) sends it. Not more nudges: on SQLite a claim that runs while
 * an import holds the write lock blocks the event loop up to busy_timeout (long-transaction.ts).
 */
function afterCommitKick(mail: MailService, deliverer: MailDeliverer): Pick<MailService, 'enqueue' | 'assertReady'> {
  return {
    assertReady: () => mail.assertReady(),
    async enqueue(input, trx) {
      const queued = await mail.enqueue(input, trx);
      setTimeout(() => deliverer.kick(), 50).unref();
      return queued;
    },
  };
}
