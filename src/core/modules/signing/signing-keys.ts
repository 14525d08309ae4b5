import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import type { Db, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { Vault } from '../../vault/vault-service.js';
import type { Signer } from '../exports/export-format.js';

// The service's Ed25519 signing key (docs/downloads.md "The signing key"): downloads
// and key-sync answers are signed with it, and anyone verifies them with the public key at
// /.well-known/openeks-signing-key. The private key is a vault envelope in `signing_keys`, opened
// once at boot like the audit chain keys; a sealed vault signs nothing (503 `sealed`), but the
// public key is still published, so files signed earlier can be verified.

export interface SigningKeys {
  /** Opens the newest key once the vault is unsealed; with `create`, makes the first one if there is none. */
  open(options: { create: boolean; onCreate?: (trx: Executor, keyId: string) => Promise<void> }): Promise<void>;
  /** The signer of the open key; 503 `sealed` while the vault is sealed or no key could be opened. */
  signer(): Signer & { keyId: string };
  /** The newest key's public PEM from the database (also while sealed); undefined before the first start. */
  publicKey(): Promise<{ keyId: string; pem: string } | undefined>;
  wipe(): void;
}

const context = (id: string) => ({ table: 'signing_keys', id });

/** `sk_` + the first 16 hex digits of SHA-256 over the public key's SPKI DER: what a verifier can compute. */
export function signingKeyId(publicKey: KeyObject): string {
  return `sk_${createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16)}`;
}

export function createSigningKeys(deps: { db: Db; vault: Pick<Vault, 'encrypt' | 'decrypt' | 'status'>; clock: Clock }): SigningKeys {
  let open: { keyId: string; privateKey: KeyObject; publicKeyPem: string } | undefined;

  const newest = (trx: Executor = deps.db.kysely) =>
    trx.selectFrom('signing_keys').selectAll().where('retired_at', 'is', null).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();

  async function load(): Promise<boolean> {
    const row = await newest();
    if (!row) return false;
    const der = await deps.vault.decrypt({ ciphertext: row.private_ciphertext, context: context(row.id) });
    open = { keyId: row.id, privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }), publicKeyPem: row.public_pem };
    der.fill(0);
    return true;
  }

  async function create(onCreate: ((trx: Executor, keyId: string) => Promise<void>) | undefined): Promise<void> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const id = signingKeyId(publicKey);
    const der = privateKey.export({ type: 'pkcs8', format: 'der' });
    try {
      await deps.db.kysely.transaction().execute(async (trx) => {
        // Another instance sharing the database may have made one a moment ago: use it.
        if (await newest(trx)) return;
        const { ciphertext } = await deps.vault.encrypt({ plaintext: der, context: context(id) }, trx);
        const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
        await trx.insertInto('signing_keys').values({ id, public_pem: publicKeyPem, private_ciphertext: ciphertext, created_at: deps.clock.now().toISOString(), retired_at: null }).execute();
        await onCreate?.(trx, id);
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    } finally {
      der.fill(0);
    }
  }

  return {
    async open({ create: mayCreate, onCreate }) {
      open = undefined;
      if (deps.vault.status().sealed) return;
      if (await load()) return;
      if (!mayCreate) return;
      await create(onCreate);
      await load();
    },
    signer() {
      const key = open;
      if (key === undefined || deps.vault.status().sealed) throw new AppError('sealed', 'The key vault is sealed: nothing can be signed.');
      return { keyId: key.keyId, publicKeyPem: key.publicKeyPem, sign: (data: Buffer) => sign(null, data, key.privateKey) };
    },
    async publicKey() {
      if (open) return { keyId: open.keyId, pem: open.publicKeyPem };
      const row = await newest();
      return row ? { keyId: row.id, pem: row.public_pem } : undefined;
    },
    wipe() {
      open = undefined;
    },
  };
}
