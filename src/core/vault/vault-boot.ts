import type { Db, Executor } from '../db/database.js';
import { isUniqueViolation } from '../db/db-errors.js';
import type { KekRing } from './kek-ring.js';
import type { MasterKeyProvider } from './master-key/provider.js';
import { inTransaction } from './vault-internals.js';
import type { VaultRepo } from './vault-repo.js';
import { canaryKekId, openCanary } from './vault-wrapping.js';

// The boot self-test (SEC-05, SEC-32). An empty vault gets KEK v1 and a canary. An existing
// vault opens only its active KEK and the canary: a few rows, however many keys are stored.
// Any failure is a reason naming the master key's label; the vault then stays sealed and never
// falls back to another key.

export type BootOutcome = { ok: true; created: boolean; kekVersion: number } | { ok: false; reason: string };

export interface BootDeps {
  db: Db;
  repo: VaultRepo;
  provider: MasterKeyProvider;
  keks: KekRing;
  /** Runs inside the transaction that creates the vault (the caller audits `vault.init` there). */
  onCreate?: (trx: Executor) => Promise<void>;
}

class AlreadyInitialised extends Error {}

async function createVault(deps: BootDeps): Promise<boolean> {
  try {
    await inTransaction(deps.db.kysely, async (trx) => {
      // Re-checked inside the transaction: another instance may have won the first boot.
      if (await deps.repo.isInitialised(trx)) throw new AlreadyInitialised();
      await deps.keks.createVersion({ reason: 'first boot' }, trx);
      await deps.onCreate?.(trx);
    });
    return true;
  } catch (err) {
    if (err instanceof AlreadyInitialised || isUniqueViolation(err)) return false;
    throw err;
  }
}

export async function bootVault(deps: BootDeps): Promise<BootOutcome> {
  const { repo, provider, keks } = deps;
  const initialised = await repo.isInitialised();
  const opened = await provider.open({ createIfMissing: !initialised });
  if (!opened.ok) return opened;
  const created = initialised ? false : await createVault(deps);

  const active = await repo.activeKek();
  if (active === undefined) return { ok: false, reason: `the vault has no active key-encryption key (master key ${provider.label})` };
  const kek = await keks.openRow(active);
  if (!kek.ok) return kek;

  const canary = await repo.getMeta('canary');
  if (canary === undefined) return { ok: false, reason: `the vault canary is missing (master key ${provider.label})` };
  let canaryKek = kek.kek;
  const canaryOwner = canaryKekId(canary);
  if (canaryOwner !== active.id) {
    // Only after an interrupted upgrade: the canary still names an older KEK.
    const row = canaryOwner === undefined ? undefined : await repo.kekById(canaryOwner);
    const older = row === undefined ? undefined : await keks.openRow(row);
    if (older === undefined || !older.ok) return { ok: false, reason: `the vault canary names a key-encryption key that does not open (master key ${provider.label})` };
    canaryKek = older.kek;
  }
  if (!openCanary(canaryKek, canary)) {
    return { ok: false, reason: `the vault canary does not open with key-encryption key v${canaryKek.version} (master key ${provider.label})` };
  }
  return { ok: true, created, kekVersion: active.version };
}
