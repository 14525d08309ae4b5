import { hkdfSync, randomBytes } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import type { Db, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { Vault } from '../../vault/vault-service.js';

// The chain keys (SEC-14). One random 32-byte secret per epoch, stored only as a vault envelope
// in `audit_chain_keys`: whoever holds the database alone cannot open it. Two keys are derived
// from it with HKDF-SHA-256, one per purpose, so a MAC of one kind never passes for the other:
// the record MAC (audit-hash.ts) and the anchor signature (audit-anchors.ts). Only epoch 1
// exists today; the column leaves room for a re-keying without rewriting the trail.

export interface ChainKey {
  epoch: number;
  /** HMAC key of the records of this epoch. */
  mac: Buffer;
  /** HMAC key of the anchors signed under this epoch. */
  anchor: Buffer;
}

export interface AuditKeys {
  /** The key new records are MACed with; undefined while the vault is sealed (they are then plain SHA-256). */
  current(): ChainKey | undefined;
  /** Every epoch's key, for verifying; undefined when they could not be opened (sealed vault). */
  all(): ReadonlyMap<number, ChainKey> | undefined;
  /**
   * Opens the keys once the vault is unsealed; with `create`, makes epoch 1 if there is none yet
   * and runs `onCreate` in that transaction, with the new key already in use (so the record it
   * writes is the first keyed one). A sealed vault leaves the keys closed.
   */
  open(options: { create: boolean; onCreate?: (trx: Executor) => Promise<void> }): Promise<void>;
  wipe(): void;
}

const derive = (secret: Buffer, label: string) => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), label, 32));
const context = (epoch: number) => ({ table: 'audit_chain_keys', epoch });

function chainKey(epoch: number, secret: Buffer): ChainKey {
  const key = { epoch, mac: derive(secret, 'openeks audit record mac v1'), anchor: derive(secret, 'openeks audit anchor mac v1') };
  secret.fill(0);
  return key;
}

export function createAuditKeys(deps: { db: Db; vault: Pick<Vault, 'encrypt' | 'decrypt' | 'status'>; clock: Clock }): AuditKeys {
  let keys: Map<number, ChainKey> | undefined;

  function wipe(): void {
    for (const key of keys?.values() ?? []) {
      key.mac.fill(0);
      key.anchor.fill(0);
    }
    keys = undefined;
  }

  async function load(): Promise<Map<number, ChainKey>> {
    const rows = await deps.db.kysely.selectFrom('audit_chain_keys').selectAll().orderBy('epoch').execute();
    const loaded = new Map<number, ChainKey>();
    for (const row of rows) loaded.set(row.epoch, chainKey(row.epoch, await deps.vault.decrypt({ ciphertext: row.ciphertext, context: context(row.epoch) })));
    return loaded;
  }

  async function create(onCreate: ((trx: Executor) => Promise<void>) | undefined): Promise<void> {
    try {
      await deps.db.kysely.transaction().execute(async (trx) => {
        const secret = randomBytes(32);
        const { ciphertext } = await deps.vault.encrypt({ plaintext: secret, context: context(1) }, trx);
        await trx.insertInto('audit_chain_keys').values({ epoch: 1, ciphertext, created_at: deps.clock.now().toISOString() }).execute();
        keys = new Map([[1, chainKey(1, secret)]]);
        await onCreate?.(trx);
      });
    } catch (err) {
      wipe();
      // Another instance sharing the database made epoch 1 first: use theirs.
      if (!isUniqueViolation(err)) throw err;
    }
  }

  return {
    current() {
      if (keys === undefined || deps.vault.status().sealed) return undefined;
      let newest: ChainKey | undefined;
      for (const key of keys.values()) if (newest === undefined || key.epoch > newest.epoch) newest = key;
      return newest;
    },
    all: () => keys,
    async open({ create: mayCreate, onCreate }) {
      wipe();
      if (deps.vault.status().sealed) return;
      const loaded = await load();
      if (loaded.size > 0 || !mayCreate) {
        keys = loaded;
        return;
      }
      await create(onCreate);
      if (keys === undefined) keys = await load();
    },
    wipe,
  };
}
