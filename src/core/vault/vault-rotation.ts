import { AppError } from '../../shared/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Db, Executor } from '../db/database.js';
import type { DataKeys } from './data-keys.js';
import type { KekRing } from './kek-ring.js';
import type { MasterKeyProvider } from './master-key/provider.js';
import { inTransaction, sealedError, type VaultLimits } from './vault-internals.js';
import type { DataKeyRow, VaultRepo } from './vault-repo.js';
import { canaryKekId, unwrapDataKey, wrapDataKey } from './vault-wrapping.js';

// Rotation, rewrap and retirement (SEC-06). Rotation adds a master key version (where the
// provider can) and a KEK version; the rewrap then moves every data key under the new KEK in
// batches, each its own short transaction, while readers keep working: a data key's bytes never
// change, only the KEK that wraps it. A KEK version is retired (its wrapped material deleted)
// only when no data key references it, so old versions keep decrypting until nothing needs them.

export interface RewrapReport {
  /** The KEK version data keys were moved under (the active one when the rewrap started). */
  kekVersion: number;
  rewrapped: number;
  /** Data keys that did not open under their KEK; their KEK stays. */
  failed: number;
  retired: number[];
  stillInUse: number[];
}

export interface RotationReport extends RewrapReport {
  masterVersion: number;
  masterVersionCreated: boolean;
}

export interface RotationDeps {
  db: Db;
  repo: VaultRepo;
  provider: MasterKeyProvider;
  keks: KekRing;
  dataKeys: DataKeys;
  logger: Logger;
  limits: VaultLimits;
}

async function rewrapBatch(deps: RotationDeps, rows: DataKeyRow[]): Promise<{ rewrapped: number; failed: number }> {
  const { repo, keks, logger } = deps;
  const opened: { row: DataKeyRow; key: Buffer }[] = [];
  let failed = 0;
  for (const row of rows) {
    const kek = await keks.byId(row.kek_id);
    const key = kek === undefined ? null : unwrapDataKey(kek, row);
    if (key === null) {
      failed += 1;
      logger.error({ dataKeyId: row.id }, 'data key does not open under its key-encryption key; left in place');
    } else opened.push({ row, key });
  }
  if (opened.length === 0) return { rewrapped: 0, failed };
  try {
    // Counted first, in its own statement: a batch that then fails leaves the KEK over-counted,
    // which is the safe direction.
    const target = await keks.reserve(opened.length, deps.db.kysely);
    const rewrapped = await inTransaction(deps.db.kysely, async (trx) => {
      let moved = 0;
      for (const { row, key } of opened) {
        if (await repo.rewrapDataKey({ id: row.id, fromKekId: row.kek_id, toKekId: target.id, wrapped: wrapDataKey(target, row.id, key) }, trx)) moved += 1;
      }
      return moved;
    });
    return { rewrapped, failed };
  } finally {
    for (const { key } of opened) key.fill(0);
  }
}

async function retireUnused(deps: RotationDeps, below: number, protectedId: string | undefined): Promise<{ retired: number[]; stillInUse: number[] }> {
  const retired: number[] = [];
  const stillInUse: number[] = [];
  for (const usage of await deps.repo.kekUsage()) {
    if (usage.version >= below || usage.state === 'retired') continue;
    const row = await deps.repo.kekByVersion(usage.version);
    if (row === undefined) continue;
    if (row.id !== protectedId && (await deps.repo.retireKekIfUnused(row.id))) {
      deps.keks.forget(row.id);
      retired.push(usage.version);
    } else stillInUse.push(usage.version);
  }
  return { retired, stillInUse };
}

/** Moves every data key under a KEK older than the active one to the active one, then retires. */
export async function rewrapAll(deps: RotationDeps, options: { batchSize?: number } = {}): Promise<RewrapReport> {
  const { repo, logger } = deps;
  const active = await repo.activeKek();
  if (active === undefined) throw sealedError(`the vault has no active key-encryption key (master key ${deps.provider.label})`);
  const batchSize = Math.min(options.batchSize ?? deps.limits.rewrapBatchSize, deps.limits.kekMaxOperations);
  const older = (await repo.kekUsage()).filter((k) => k.version < active.version && k.state !== 'retired' && k.dataKeys > 0);
  const olderIds: string[] = [];
  for (const usage of older) {
    const row = await repo.kekByVersion(usage.version);
    if (row !== undefined) olderIds.push(row.id);
  }
  let rewrapped = 0;
  let failed = 0;
  for (const kekId of olderIds) {
    for (let afterId = ''; ; ) {
      const rows = await repo.dataKeysUnder({ kekId, afterId, limit: batchSize });
      const last = rows[rows.length - 1];
      if (last === undefined) break;
      afterId = last.id;
      const done = await rewrapBatch(deps, rows);
      rewrapped += done.rewrapped;
      failed += done.failed;
    }
  }
  const { retired, stillInUse } = await retireUnused(deps, active.version, canaryKekId((await repo.getMeta('canary')) ?? ''));
  logger.info({ kekVersion: active.version, rewrapped, failed, retired, stillInUse }, 'data keys rewrapped');
  return { kekVersion: active.version, rewrapped, failed, retired, stillInUse };
}

export async function rotate(deps: RotationDeps, options: { batchSize?: number; newMasterVersion?: boolean } = {}): Promise<RotationReport> {
  const { provider, keks } = deps;
  const createMaster = options.newMasterVersion ?? provider.canCreateVersions;
  if (createMaster && !provider.canCreateVersions) {
    throw new AppError('conflict', `The master key ${provider.label} cannot create versions; add one where it is configured and restart.`);
  }
  const masterVersion = createMaster ? await provider.createVersion() : provider.currentVersion();
  if (masterVersion === undefined) throw sealedError(`master key ${provider.label} has no key version`);
  await inTransaction(deps.db.kysely, (trx) => keks.createVersion({ masterVersion, reason: 'rotation' }, trx));
  // New writes of this instance start a data key under the new KEK right away; other instances'
  // data keys are moved under it by the rewrap below.
  await deps.dataKeys.retireActive();
  const report = await rewrapAll(deps, options);
  return { ...report, masterVersion, masterVersionCreated: createMaster };
}

/** Retires one KEK version; refused while it is active or any data key still references it. */
export async function retireKek(deps: RotationDeps, version: number, trx?: Executor): Promise<void> {
  const { repo } = deps;
  const row = await repo.kekByVersion(version, trx);
  if (row === undefined) throw new AppError('not_found', `Key-encryption key version ${version} does not exist.`);
  if (row.state === 'retired') return;
  if (row.state === 'active') throw new AppError('vault_version_in_use', `Key-encryption key version ${version} is the active version; rotate first.`);
  if (canaryKekId((await repo.getMeta('canary', trx)) ?? '') === row.id || !(await repo.retireKekIfUnused(row.id, trx))) {
    const inUse = await repo.countDataKeysOfKek(row.id, trx);
    throw new AppError('vault_version_in_use', `Key-encryption key version ${version} still protects ${inUse} data keys; run the rewrap first.`);
  }
  deps.keks.forget(row.id);
  deps.logger.info({ kekVersion: version }, 'key-encryption key version retired');
}

/**
 * Raises the minimum decryption version: every KEK version below it is retired, all or none.
 * Refused while any of them still protects a data key.
 */
export async function setMinDecryptionVersion(deps: RotationDeps, version: number, trx?: Executor): Promise<{ retired: number[] }> {
  const { repo } = deps;
  const active = await repo.activeKek(trx);
  if (active === undefined) throw sealedError(`the vault has no active key-encryption key (master key ${deps.provider.label})`);
  if (!Number.isSafeInteger(version) || version < 1 || version > active.version) {
    throw new AppError('validation_failed', `The minimum decryption version must be between 1 and ${active.version}.`);
  }
  const below = (await repo.kekUsage(trx)).filter((k) => k.version < version && k.state !== 'retired');
  const inUse = below.filter((k) => k.dataKeys > 0).map((k) => k.version);
  if (inUse.length > 0) {
    throw new AppError('vault_version_in_use', `Key-encryption key versions ${inUse.join(', ')} still protect stored keys; run the rewrap first.`);
  }
  await inTransaction(trx ?? deps.db.kysely, async (t) => {
    for (const usage of below) await retireKek(deps, usage.version, t);
    await repo.setMeta('min_decryption_version', String(version), t);
  });
  return { retired: below.map((k) => k.version) };
}
