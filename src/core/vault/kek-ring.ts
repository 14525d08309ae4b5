import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import { isUniqueViolation } from '../db/db-errors.js';
import type { Executor } from '../db/database.js';
import type { MasterKeyProvider } from './master-key/provider.js';
import { inTransaction, integrityError, sealedError } from './vault-internals.js';
import type { KekRow, VaultRepo } from './vault-repo.js';
import { newKey, type OpenKek, type Opened, sealCanary, unwrapKek, wrapKek } from './vault-wrapping.js';

// KEK versions: unwrapped lazily by the master key and kept in memory while the vault is open.
// Boot opens only the active KEK; older versions are opened the first time a data key under
// them is read. New versions come from rotation or from the operation limit (SEC-04).

export type KekOpen = { ok: true; kek: OpenKek } | { ok: false; reason: string };

export interface KekRingDeps {
  repo: VaultRepo;
  provider: MasterKeyProvider;
  clock: Clock;
  logger: Logger;
  kekMaxOperations: number;
}

export function describeKekProblem(label: string, row: Pick<KekRow, 'version' | 'master_version'>, problem: Exclude<Opened, { ok: true }>['problem']): string {
  switch (problem) {
    case 'unknown-version':
      return `master key ${label} has no version ${row.master_version}, which key-encryption key v${row.version} needs`;
    case 'does-not-open':
      return `master key ${label} (version ${row.master_version}) does not open key-encryption key v${row.version}: it is not the master key this vault was created with`;
    case 'malformed':
      return `key-encryption key v${row.version} is damaged in the database (master key ${label})`;
    case 'provider-failed':
      return `master key ${label} failed while opening key-encryption key v${row.version}`;
  }
}

export function createKekRing(deps: KekRingDeps) {
  const { repo, provider, clock, logger } = deps;
  const open = new Map<string, OpenKek>();

  async function openRow(row: KekRow): Promise<KekOpen> {
    const known = open.get(row.id);
    if (known !== undefined) return { ok: true, kek: known };
    if (row.state === 'retired') return { ok: false, reason: `key-encryption key v${row.version} is retired` };
    const opened = await unwrapKek(provider, row);
    if (!opened.ok) return { ok: false, reason: describeKekProblem(provider.label, row, opened.problem) };
    const kek = { id: row.id, version: row.version, key: opened.key };
    open.set(kek.id, kek);
    return { ok: true, kek };
  }

  /** A KEK to wrap data keys with: the active one, opened; throws sealed if it cannot be. */
  async function openActive(trx: Executor): Promise<{ row: KekRow; kek: OpenKek }> {
    const row = await repo.activeKek(trx);
    if (row === undefined) throw sealedError(`the vault has no active key-encryption key (master key ${provider.label})`);
    const opened = await openRow(row);
    if (!opened.ok) throw sealedError(opened.reason);
    return { row, kek: opened.kek };
  }

  /**
   * Creates the next KEK version, wrapped by `masterVersion` (default: the provider's newest),
   * makes it the only active one and re-seals the canary under it. Run it in a transaction.
   */
  async function createVersion(options: { masterVersion?: number; reason: string }, trx: Executor): Promise<OpenKek> {
    const masterVersion = options.masterVersion ?? provider.currentVersion();
    if (masterVersion === undefined) throw sealedError(`master key ${provider.label} has no key version`);
    const version = (await repo.maxKekVersion(trx)) + 1;
    const kek: OpenKek = { id: newId('kek'), version, key: newKey() };
    const wrapped = await wrapKek(provider, { masterVersion, ...kek });
    await repo.insertKek({ id: kek.id, version, master_version: masterVersion, wrapped, state: 'active', operations: 0, created_at: clock.now().toISOString() }, trx);
    await repo.demoteActiveKeks(kek.id, trx);
    await repo.setMeta('canary', sealCanary(kek), trx);
    open.set(kek.id, kek);
    logger.info({ kekVersion: version, masterVersion, label: provider.label, reason: options.reason }, 'key-encryption key version created');
    return kek;
  }

  return {
    openRow,
    createVersion,

    /** The open KEK with this id, or undefined if it is unknown, retired or does not open. */
    async byId(id: string, trx?: Executor): Promise<OpenKek | undefined> {
      const known = open.get(id);
      if (known !== undefined) return known;
      const row = await repo.kekById(id, trx);
      if (row === undefined) return undefined;
      const opened = await openRow(row);
      if (opened.ok) return opened.kek;
      logger.error({ kekVersion: row.version, reason: opened.reason }, 'key-encryption key does not open');
      return undefined;
    },

    /**
     * Counts `count` wraps against the active KEK and returns it. When the active KEK has no
     * room left, the next version is created first. Safe across instances: the count is a
     * conditional UPDATE, and two instances creating the same version collide on its unique key.
     */
    async reserve(count: number, writer: Executor): Promise<OpenKek> {
      if (count > deps.kekMaxOperations) throw new RangeError('cannot reserve more operations than a KEK allows');
      for (let attempt = 0; attempt < 8; attempt++) {
        const { row, kek } = await openActive(writer);
        if (await repo.reserveKekOperations({ id: row.id, count, max: deps.kekMaxOperations }, writer)) return kek;
        const now = await repo.kekById(row.id, writer);
        if (now?.state !== 'active' || Number(now.operations) + count <= deps.kekMaxOperations) continue;
        try {
          await inTransaction(writer, (trx) => createVersion({ reason: 'operation limit' }, trx));
        } catch (err) {
          // Another instance created this version a moment earlier: use theirs.
          if (!isUniqueViolation(err)) throw err;
        }
      }
      throw integrityError();
    },

    forget(id: string): void {
      open.get(id)?.key.fill(0);
      open.delete(id);
    },

    wipe(): void {
      for (const kek of open.values()) kek.key.fill(0);
      open.clear();
    },
  };
}

export type KekRing = ReturnType<typeof createKekRing>;
