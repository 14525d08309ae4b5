import { Transaction } from 'kysely';
import { AppError } from '../../shared/errors.js';
import type { Executor } from '../db/database.js';

// Limits, errors and the transaction helper shared by the vault's parts.

export interface VaultLimits {
  /**
   * Encryptions one data key performs before a fresh one takes over (SEC-04). Random 96-bit
   * nonces allow 2^32 per key (SP 800-38D 8.3); the default keeps a factor-two margin.
   */
  dataKeyMaxOperations: number;
  /** Data-key wraps (creations and rewraps) per KEK version before the next version is created. */
  kekMaxOperations: number;
  /** Unwrapped data keys kept in memory (LRU). */
  dataKeyCacheSize: number;
  /** The in-memory encryption counter is written to the database every this many encryptions. */
  counterFlushInterval: number;
  /** Data keys rewrapped per transaction during rotation. */
  rewrapBatchSize: number;
}

export const defaultLimits: VaultLimits = {
  dataKeyMaxOperations: 2 ** 31,
  kekMaxOperations: 2 ** 31,
  dataKeyCacheSize: 10_000,
  counterFlushInterval: 1_000,
  rewrapBatchSize: 500,
};

export function resolveLimits(overrides: Partial<VaultLimits> = {}): VaultLimits {
  const limits = { ...defaultLimits, ...overrides };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`vault limit ${name} must be a positive integer`);
  }
  if (limits.dataKeyMaxOperations > 2 ** 32 || limits.kekMaxOperations > 2 ** 32) {
    throw new RangeError('vault operation limits may not exceed 2^32 (SP 800-38D random-nonce bound)');
  }
  return limits;
}

/** The catalogue's `sealed` error, keeping the bare reason so the vault can seal itself with it. */
export class VaultSealedError extends AppError {
  readonly reason: string;
  constructor(reason: string) {
    super('sealed', `The key vault is sealed: ${reason}`);
    this.reason = reason;
  }
}

export function sealedError(reason: string): VaultSealedError {
  return new VaultSealedError(reason);
}

/** Deliberately generic: which layer failed is for the log, not for the caller (SEC-02). */
export function integrityError(): AppError {
  return new AppError('key_integrity');
}

/** Runs `fn` in the caller's transaction if `exec` is one, else in a new transaction. */
export async function inTransaction<T>(exec: Executor, fn: (trx: Executor) => Promise<T>): Promise<T> {
  if (exec instanceof Transaction) return fn(exec);
  return exec.transaction().execute(fn);
}
