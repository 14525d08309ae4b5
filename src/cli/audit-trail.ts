import { systemClock } from '../lib/clock.js';
import type { Settings } from '../lib/config.js';
import { createAccessGuard } from '../core/access/access-guard.js';
import type { Db } from '../core/db/database.js';
import { createDenialRecorder } from '../core/modules/audit/audit-denials.js';
import { createAuditKeys } from '../core/modules/audit/audit-keys.js';
import { createAuditRepo } from '../core/modules/audit/audit-repo.js';
import { createAuditTrailService } from '../core/modules/audit/audit-trail-service.js';
import { createAuditWriter } from '../core/modules/audit/audit-writer.js';
import { openMasterKeyProvider } from '../core/vault/master-key/index.js';
import { createVault, type VaultStatus } from '../core/vault/vault-service.js';

/**
 * The audit trail without the rest of the container. The chain keys need the vault, so the
 * master key is opened when the trail has keys; with a sealed vault (or a wrong master key) the
 * trail still opens, and verify reports that it cannot check the MACs. `run` gets the vault's
 * status (undefined when the trail has no keys yet and the vault was not opened).
 */
export async function withAuditTrail<T>(db: Db, settings: Settings, run: (trail: ReturnType<typeof createAuditTrailService>, vault: VaultStatus | undefined) => Promise<T>): Promise<T> {
  const keyed = await db.kysely.selectFrom('audit_chain_keys').select('epoch').limit(1).executeTakeFirst();
  const provider = keyed === undefined ? undefined : await openMasterKeyProvider(settings.secrets.masterKey);
  const vault = provider === undefined ? undefined : createVault({ db, clock: systemClock, provider });
  try {
    const status = await vault?.init();
    const keys = vault === undefined ? noKeysYet : createAuditKeys({ db, vault, clock: systemClock });
    if (vault !== undefined) await keys.open({ create: false });
    // The CLI writes records with the plain link only (a refusal, when a check fails): it never holds the chain key for writing.
    const audit = createAuditWriter({ dialect: db.dialect, clock: systemClock });
    const guard = createAccessGuard({ recordDenial: createDenialRecorder({ db, audit }) });
    try {
      return await run(createAuditTrailService({ repo: createAuditRepo(db.kysely), guard, keys, anchorFile: settings.config.auditAnchors }), status);
    } finally {
      keys.wipe();
    }
  } finally {
    await vault?.close();
    await provider?.close();
  }
}

/** A trail that was never keyed (no unsealed start since the upgrade): only plain records to check. */
const noKeysYet = { all: () => new Map(), open: async () => undefined, wipe: () => undefined };
