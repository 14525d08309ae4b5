import { Transaction } from 'kysely';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import type { Logger } from '../../lib/logger.js';
import type { Db, Executor } from '../db/database.js';
import type { KekRing } from './kek-ring.js';
import { createLru } from './lru.js';
import type { VaultLimits } from './vault-internals.js';
import type { VaultRepo } from './vault-repo.js';
import { newKey, unwrapDataKey, wrapDataKey } from './vault-wrapping.js';

// Data keys. Each vault instance encrypts with a data key of its own that no other instance
// ever uses and that is never resumed after a restart, so its in-memory counter is exact and
// the limit needs no coordination between instances; the database copy of the counter is a
// record written every `counterFlushInterval` encryptions. Unwrapped data keys are cached in a
// bounded LRU so that decryption costs one AES-GCM operation (README.md, docs/crypto.md).

export interface ActiveDataKey {
  id: string;
  key: Buffer;
  operations: number;
  recorded: number;
  /** Created inside a caller's SQLite transaction: not known to be committed yet. */
  unconfirmedIn: Executor | undefined;
  /** PostgreSQL: the caller's transaction whose encryptions are counted but not recorded yet. */
  unrecordedIn: Executor | undefined;
}

export interface DataKeysDeps {
  db: Db;
  repo: VaultRepo;
  keks: KekRing;
  clock: Clock;
  logger: Logger;
  limits: VaultLimits;
}

export function createDataKeys(deps: DataKeysDeps) {
  const { db, repo, keks, clock, logger, limits } = deps;
  const loading = new Map<string, Promise<Buffer | undefined>>();
  let active: ActiveDataKey | undefined;
  let creating: Promise<ActiveDataKey> | undefined;
  // Reads mostly hit the same data key again (a data key serves many device keys): comparing
  // one id is cheaper than hashing it into the LRU map.
  let lastId = '';
  let lastKey: Buffer | undefined;
  const cache = createLru<string, Buffer>(limits.dataKeyCacheSize, (key) => {
    if (key === lastKey) {
      lastId = '';
      lastKey = undefined;
    }
    key.fill(0);
  });

  // Vault bookkeeping (new data keys, counters, KEK versions) must not vanish with a caller's
  // rollback. PostgreSQL: it commits on its own pooled connection. SQLite has one connection,
  // so inside a caller's transaction it rides along, and a new data key is confirmed before
  // any later use outside that transaction.
  const writerFor = (trx?: Executor): Executor => db.dialect.bookkeepingWriter(db.kysely, trx);

  function lookUp(id: string): Buffer | undefined {
    const key = cache.get(id);
    if (key !== undefined) {
      lastId = id;
      lastKey = key;
    }
    return key;
  }

  async function record(key: ActiveDataKey, writer: Executor, retire: boolean): Promise<void> {
    if (key.operations === key.recorded && !retire) return;
    try {
      await repo.recordDataKeyOperations({ id: key.id, operations: key.operations, retire }, writer);
      key.recorded = key.operations;
    } catch (err) {
      // The in-memory counter is the one that bounds this key; the row is only its record.
      logger.warn({ dataKeyId: key.id, err: err instanceof Error ? err.message : 'error' }, 'data key counter not recorded');
    }
  }

  async function create(writer: Executor): Promise<ActiveDataKey> {
    const id = newId('dk');
    const key = newKey();
    const kek = await keks.reserve(1, writer);
    await repo.insertDataKey({ id, kek_id: kek.id, wrapped: wrapDataKey(kek, id, key), state: 'active', operations: 0, created_at: clock.now().toISOString() }, writer);
    cache.set(id, Buffer.from(key));
    return { id, key, operations: 0, recorded: 0, unconfirmedIn: writer === db.kysely ? undefined : writer, unrecordedIn: undefined };
  }

  // PostgreSQL: a counter written on the pool while a caller's transaction is open is a new row
  // version that transaction keeps from being cleaned up, and every key row it inserts checks its
  // foreign key to this data key by walking all of them: an import of a million keys in one
  // transaction (one write per 1,000) got slower with every batch. So within one caller's
  // transaction the record waits until the key is next used outside it, reaches its limit or is
  // retired; the in-memory counter bounds the key meanwhile, and the key is never resumed.
  function recordNow(key: ActiveDataKey, trx: Executor | undefined): boolean {
    // Only where the record would go on another connection than the caller's open transaction.
    const besideTransaction = trx instanceof Transaction && writerFor(trx) !== trx;
    if (!besideTransaction || (key.unrecordedIn !== undefined && key.unrecordedIn !== trx)) {
      key.unrecordedIn = undefined;
      return true;
    }
    key.unrecordedIn = trx;
    return false;
  }

  async function stillThere(key: ActiveDataKey, writer: Executor): Promise<boolean> {
    if (key.unconfirmedIn === undefined || key.unconfirmedIn === writer) return true;
    // A different executor on SQLite means the creating transaction has ended.
    if ((await repo.dataKeyById(key.id, writer)) === undefined) return false;
    key.unconfirmedIn = undefined;
    return true;
  }

  async function drop(writer: Executor, retire: boolean): Promise<void> {
    const old = active;
    active = undefined;
    if (old === undefined) return;
    if (retire) await record(old, writer, true);
    old.key.fill(0);
  }

  return {
    /**
     * The cached plaintext data key with the id text[start, end), if any: the decrypt fast path.
     * Compared in place, since most reads repeat the last id.
     */
    cachedIn(text: string, start: number, end: number): Buffer | undefined {
      if (lastKey !== undefined && end - start === lastId.length && text.startsWith(lastId, start)) return lastKey;
      return lookUp(text.slice(start, end));
    },

    /** Loads, unwraps and caches a data key; undefined if it is missing or does not open. */
    load(id: string, trx?: Executor): Promise<Buffer | undefined> {
      const pending = loading.get(id);
      if (pending !== undefined) return pending;
      const work = (async () => {
        const row = await repo.dataKeyById(id, trx);
        if (row === undefined) return undefined;
        const kek = await keks.byId(row.kek_id, trx);
        const key = kek === undefined ? null : unwrapDataKey(kek, row);
        if (key === null) return undefined;
        cache.set(id, key);
        return key;
      })().finally(() => loading.delete(id));
      loading.set(id, work);
      return work;
    },

    /**
     * A data key with one encryption counted against it. The counter is taken before the
     * encryption happens, so concurrent callers never exceed the limit together.
     */
    async take(trx?: Executor): Promise<ActiveDataKey> {
      const writer = writerFor(trx);
      for (;;) {
        const current = active;
        if (current !== undefined && !(await stillThere(current, writer))) {
          // Its transaction rolled back: the row is gone, so is the key.
          cache.delete(current.id);
          if (active === current) active = undefined;
          continue;
        }
        if (current !== undefined && current === active && current.operations < limits.dataKeyMaxOperations) {
          current.operations += 1;
          if (current.operations - current.recorded >= limits.counterFlushInterval && recordNow(current, trx)) await record(current, writer, false);
          return current;
        }
        if (current !== undefined && current === active) {
          logger.info({ dataKeyId: current.id, operations: current.operations }, 'data key reached its operation limit; starting a new one');
          await drop(writer, true);
        }
        if (creating === undefined) {
          creating = create(writer).finally(() => {
            creating = undefined;
          });
          active = await creating;
        } else {
          await creating;
        }
      }
    },

    /** Stops encrypting with the current data key (rotation, shutdown); it stays for decryption. */
    async retireActive(trx?: Executor): Promise<void> {
      await drop(writerFor(trx), true);
    },

    forgetCached(id: string): void {
      cache.delete(id);
    },

    wipe(): void {
      active?.key.fill(0);
      active = undefined;
      cache.clear();
    },
  };
}

export type DataKeys = ReturnType<typeof createDataKeys>;
