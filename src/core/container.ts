import { Redis } from 'ioredis';
import type { Config } from '../lib/config.js';
import type { Clock } from '../lib/clock.js';
import { AppError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { openDatabase, type Db } from './db/database.js';
import { migrateToLatest, schemaStatus } from './db/migrate.js';
import { createAuditWriter, type Actor, type AuditWriter } from './modules/audit/audit-writer.js';
import { createOperatorSetupService, type OperatorSetupService } from './modules/auth/operator-setup-service.js';
import { createSessionService, type SessionService } from './modules/auth/session-service.js';
import { createSessionsRepo } from './modules/auth/sessions-repo.js';
import { createTokensRepo } from './modules/auth/tokens-repo.js';
import { createUsersRepo } from './modules/auth/users-repo.js';
import type { Readiness } from './modules/health/health-routes.js';
import { createMailDeliverer, createSmtpTransport, type MailDeliverer, type MailTransport } from './modules/mail/mail-deliverer.js';
import { createMailRepo } from './modules/mail/mail-repo.js';
import { createMailService, type MailService } from './modules/mail/mail-service.js';
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
  operatorSetup: OperatorSetupService;
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
  /** Where a `pkcs11:` spec looks up `pin=env:NAME`; main.ts passes process.env. */
  providerEnv?: Readonly<Record<string, string | undefined>>;
}

/** The composition root: repos, then services, wired by hand (STYLE.md 1). */
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

  const users = createUsersRepo(db.kysely);
  const sessions = createSessionService({ db, users, sessions: createSessionsRepo(db.kysely), audit, clock });
  const operatorSetup = createOperatorSetupService({ db, users, tokens: createTokensRepo(db.kysely), audit, mail: afterCommitKick(mail, mailDeliverer), clock, publicUrl: config.publicUrl });

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
    operatorSetup,
    readiness,
    async close() {
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
