import { buildAad, transientAad, type AadContext } from '../../lib/crypto/aad.js';
import { open, openDetached, seal } from '../../lib/crypto/aead.js';
import { type Envelope, envelopeHeader, formatEnvelope, KEY_ID_START, parseEnvelope, parseEnvelopeTransient, type TransientEnvelope } from '../../lib/crypto/envelope.js';
import type { Clock } from '../../lib/clock.js';
import { AppError } from '../../shared/errors.js';
import type { Logger } from '../../lib/logger.js';
import type { Db, Executor } from '../db/database.js';
import { createDataKeys } from './data-keys.js';
import { createDecryptPool, type DecryptPool, PoolDeclined } from './decrypt-pool.js';
import { createKekRing } from './kek-ring.js';
import type { MasterKeyProvider } from './master-key/provider.js';
import { bootVault } from './vault-boot.js';
import { integrityError, resolveLimits, sealedError, VaultSealedError, type VaultLimits } from './vault-internals.js';
import { createVaultRepo, type KekUsage } from './vault-repo.js';
import { retireKek, rewrapAll, rotate, setMinDecryptionVersion, type RewrapReport, type RotationDeps, type RotationReport } from './vault-rotation.js';

// The key vault (SEC-01…SEC-07): envelope encryption of device keys and other secrets under
// data keys, KEKs and a master key; fail-closed boot; online rotation. Invariants: README.md.

export type { AadContext } from '../../lib/crypto/aad.js';
export type { RewrapReport, RotationReport } from './vault-rotation.js';
export type { VaultLimits } from './vault-internals.js';

export interface VaultStatus {
  sealed: boolean;
  /** Why the vault is sealed, naming the master key label; never key material. */
  reason?: string;
  /** Where the master key lives (`file:./data/master.key`); safe to show. */
  label: string;
}

export interface EncryptInput {
  plaintext: Buffer;
  /** Where the ciphertext will be stored; bound into the AAD (SEC-03). `table` is required. */
  context: AadContext;
}

export interface EncryptResult {
  /** `oek1.A256GCM.<dataKeyId>.<nonce>.<ciphertext+tag>` (docs/crypto.md). */
  ciphertext: string;
  dataKeyId: string;
}

export interface DecryptInput {
  ciphertext: string;
  /** Must equal the context given to encrypt, field for field. */
  context: AadContext;
}

export interface VaultInspection extends VaultStatus {
  activeKekVersion: number | undefined;
  minDecryptionVersion: number;
  masterVersions: readonly number[];
  keks: KekUsage[];
}

export interface Vault {
  /** Boot self-test; resolves with the status (sealed is a state, not an exception). */
  init(): Promise<VaultStatus>;
  status(): VaultStatus;
  /**
   * Throws `sealed` (503) while the vault is sealed. For key operations that would not touch the
   * vault themselves (a state change): sealed means no key operation at all (SEC-05).
   */
  assertUnsealed(): void;
  encrypt(input: EncryptInput, trx?: Executor): Promise<EncryptResult>;
  decrypt(input: DecryptInput, trx?: Executor): Promise<Buffer>;
  /** Many reads at once (exports): all or nothing, one promise instead of one per key. */
  decryptMany(inputs: readonly DecryptInput[], trx?: Executor): Promise<Buffer[]>;
  /**
   * decryptMany with the AES-GCM opening on worker threads (decrypt-pool.ts), for large batches
   * (exports): the main thread finds and unwraps the data keys, a worker opens the ciphertexts.
   * Same results and errors as decryptMany, which it falls back to for small batches.
   */
  decryptParallel(inputs: readonly DecryptInput[], trx?: Executor): Promise<Buffer[]>;
  rotate(options?: { batchSize?: number; newMasterVersion?: boolean }): Promise<RotationReport>;
  rewrap(options?: { batchSize?: number }): Promise<RewrapReport>;
  retireKek(input: { version: number }, trx?: Executor): Promise<void>;
  setMinDecryptionVersion(input: { version: number }, trx?: Executor): Promise<{ retired: number[] }>;
  inspect(trx?: Executor): Promise<VaultInspection>;
  /** Records counters and wipes keys from memory. The provider is closed by whoever opened it. */
  close(): Promise<void>;
}

export interface VaultDeps {
  db: Db;
  clock: Clock;
  provider: MasterKeyProvider;
  logger?: Logger;
  limits?: Partial<VaultLimits>;
  /** Runs inside the transaction that creates a new vault: the container audits `vault.init`. */
  onCreate?: (trx: Executor) => Promise<void>;
}

const silent: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const DEVICE_KEY_LENGTHS = [16, 32];
const MAX_SECRET_BYTES = 4096;
/** Below this many ciphertexts a batch is opened on the main thread: a worker round trip costs more. */
const PARALLEL_MIN = 64;
const envelopePrefix = 'oek1.A256GCM.';

function checkPlaintext(input: EncryptInput): void {
  const table = input.context.table;
  if (typeof table !== 'string' || table === '') throw new TypeError('vault contexts name the table the ciphertext is stored in');
  const length = input.plaintext.length;
  if (table === 'device_keys' && !DEVICE_KEY_LENGTHS.includes(length)) {
    throw new AppError('validation_failed', 'A device key must be 16 or 32 bytes long.', { details: [{ field: 'key', reason: 'length' }] });
  }
  if (length < 1 || length > MAX_SECRET_BYTES) {
    throw new AppError('validation_failed', `A secret must be 1 to ${MAX_SECRET_BYTES} bytes long.`, { details: [{ field: 'key', reason: 'length' }] });
  }
}

export function createVault(deps: VaultDeps): Vault {
  const { db, clock, provider } = deps;
  const logger = deps.logger ?? silent;
  const limits = resolveLimits(deps.limits);
  const repo = createVaultRepo(db);
  const keks = createKekRing({ repo, provider, clock, logger, kekMaxOperations: limits.kekMaxOperations });
  const dataKeys = createDataKeys({ db, repo, keks, clock, logger, limits });
  const rotation: RotationDeps = { db, repo, provider, keks, dataKeys, logger, limits };
  let sealedReason: string | undefined = 'the vault has not been opened yet';
  /** Started on the first large decryptParallel; its workers hold copies of data keys, wiped with the vault's. */
  let pool: DecryptPool | undefined;

  function status(): VaultStatus {
    return sealedReason === undefined ? { sealed: false, label: provider.label } : { sealed: true, reason: sealedReason, label: provider.label };
  }

  /** Seals at run time when the active key path breaks (fail closed, visible on /readyz). */
  function sealNow(reason: string): void {
    if (sealedReason === undefined) logger.error({ label: provider.label, reason }, 'key vault sealed');
    sealedReason = reason;
    dataKeys.wipe();
    keks.wipe();
    pool?.wipe();
  }

  async function guarded<T>(work: () => Promise<T>): Promise<T> {
    if (sealedReason !== undefined) throw sealedError(sealedReason);
    try {
      return await work();
    } catch (err) {
      if (err instanceof VaultSealedError) sealNow(err.reason);
      throw err;
    }
  }

  // Reads parse into shared scratch buffers (parseEnvelopeTransient, transientAad) and decrypt
  // in the same synchronous step. When the data key must first be loaded (an await), the envelope
  // is parsed into buffers of its own instead, since other reads may reuse the scratch meanwhile.
  function transientOrThrow(text: string): TransientEnvelope {
    if (sealedReason !== undefined) throw sealedError(sealedReason);
    const parsed = parseEnvelopeTransient(text);
    if (parsed === null) throw integrityError();
    return parsed;
  }

  function openTransientOrThrow(key: Buffer, envelope: TransientEnvelope, input: DecryptInput): Buffer {
    const aad = transientAad(input.ciphertext, input.context, envelope.headerLength);
    const plain = openDetached(key, envelope.nonce, envelope.body, envelope.tag, aad);
    if (plain === null) throw integrityError();
    return plain;
  }

  async function loadAndOpen(keyId: string, input: DecryptInput, trx: Executor | undefined): Promise<Buffer> {
    const key = await dataKeys.load(keyId, trx);
    const envelope: Envelope | undefined = key === undefined ? undefined : parseEnvelopeOwned(input.ciphertext);
    if (key === undefined || envelope === undefined) throw integrityError();
    const plain = open(key, envelope.nonce, envelope.ciphertext, buildAad(envelope.header, input.context));
    if (plain === null) throw integrityError();
    return plain;
  }

  function parseEnvelopeOwned(text: string): Envelope | undefined {
    const parsed = parseEnvelope(text);
    return parsed.ok ? parsed : undefined;
  }

  return {
    async init() {
      dataKeys.wipe();
      keks.wipe();
      pool?.wipe();
      sealedReason = 'the vault is being opened';
      const outcome = await bootVault({ db, repo, provider, keks, onCreate: deps.onCreate });
      if (outcome.ok) {
        sealedReason = undefined;
        logger.info({ label: provider.label, kekVersion: outcome.kekVersion, created: outcome.created }, 'key vault unsealed');
      } else {
        sealedReason = outcome.reason;
        keks.wipe();
      }
      return status();
    },

    status,

    assertUnsealed() {
      if (sealedReason !== undefined) throw sealedError(sealedReason);
    },

    encrypt(input, trx) {
      return guarded(async () => {
        checkPlaintext(input);
        const dataKey = await dataKeys.take(trx);
        const sealed = seal(dataKey.key, input.plaintext, transientAad(envelopeHeader(dataKey.id), input.context));
        return { ciphertext: formatEnvelope({ keyId: dataKey.id, ...sealed }), dataKeyId: dataKey.id };
      });
    },

    // Not async on purpose: with the data key cached, a decrypt is a parse, one AES-GCM open and
    // a resolved promise, which keeps it close to raw node:crypto throughput.
    decrypt(input, trx) {
      try {
        const envelope = transientOrThrow(input.ciphertext);
        const key = dataKeys.cachedIn(input.ciphertext, KEY_ID_START, envelope.headerLength);
        if (key !== undefined) return Promise.resolve(openTransientOrThrow(key, envelope, input));
        return loadAndOpen(input.ciphertext.slice(KEY_ID_START, envelope.headerLength), input, trx);
      } catch (err) {
        return Promise.reject(err);
      }
    },

    async decryptMany(inputs, trx) {
      const out: Buffer[] = [];
      try {
        for (const input of inputs) {
          const envelope = transientOrThrow(input.ciphertext);
          const key = dataKeys.cachedIn(input.ciphertext, KEY_ID_START, envelope.headerLength);
          out.push(key !== undefined ? openTransientOrThrow(key, envelope, input) : await loadAndOpen(input.ciphertext.slice(KEY_ID_START, envelope.headerLength), input, trx));
        }
        return out;
      } catch (err) {
        for (const plain of out) plain.fill(0);
        throw err;
      }
    },

    async decryptParallel(inputs, trx) {
      if (inputs.length < PARALLEL_MIN) return this.decryptMany(inputs, trx);
      if (sealedReason !== undefined) throw sealedError(sealedReason);
      // The data keys on the main thread: cached, or loaded and unwrapped (checks included).
      const keys = new Map<string, Buffer>();
      for (const input of inputs) {
        const text = input.ciphertext;
        const keyEnd = typeof text === 'string' && text.startsWith(envelopePrefix) ? text.indexOf('.', KEY_ID_START) : -1;
        if (keyEnd < 0) return this.decryptMany(inputs, trx);
        const id = text.slice(KEY_ID_START, keyEnd);
        if (keys.has(id)) continue;
        const key = dataKeys.cachedIn(text, KEY_ID_START, keyEnd) ?? (await dataKeys.load(id, trx));
        if (key === undefined) return this.decryptMany(inputs, trx);
        keys.set(id, key);
      }
      pool ??= createDecryptPool();
      try {
        return await pool.open({ keys, ciphertexts: inputs.map((i) => i.ciphertext), contexts: inputs.map((i) => i.context) });
      } catch (err) {
        // Whatever the worker could not open, the vault opens or refuses with its own error.
        if (err instanceof PoolDeclined) return this.decryptMany(inputs, trx);
        throw err;
      }
    },

    rotate: (options) => guarded(() => rotate(rotation, options)),
    rewrap: (options) => guarded(() => rewrapAll(rotation, options)),
    retireKek: (input, trx) => guarded(() => retireKek(rotation, input.version, trx)),
    setMinDecryptionVersion: (input, trx) => guarded(() => setMinDecryptionVersion(rotation, input.version, trx)),

    async inspect(trx) {
      const usage = await repo.kekUsage(trx);
      const min = Number((await repo.getMeta('min_decryption_version', trx)) ?? '1');
      return {
        ...status(),
        activeKekVersion: usage.find((k) => k.state === 'active')?.version,
        minDecryptionVersion: min,
        masterVersions: provider.versions(),
        keks: usage,
      };
    },

    async close() {
      if (sealedReason === undefined) await dataKeys.retireActive().catch(() => undefined);
      sealedReason = 'the vault was closed';
      dataKeys.wipe();
      keks.wipe();
      await pool?.close();
      pool = undefined;
    },
  };
}
