import { AppError, isAppError } from '../../../shared/errors.js';
import type { Db } from '../../db/database.js';
import type { AuditEntry, AuditWriter } from './audit-writer.js';

// Group commit for audit records that must be committed before an answer leaves (a key read,
// SEC-11), without a transaction per request: the records of concurrent requests are written in
// one transaction, and each request's promise settles with that transaction. While one batch is
// being committed the next one gathers. The guarantee is unchanged — a request is answered only
// after its record is committed, and if the batch's commit fails, every request of the batch
// fails (`audit_unavailable`) and sends nothing.

export interface AuditBatch {
  /** Resolves once the record is committed; rejects (503 `audit_unavailable`) when its batch could not be. */
  write(entry: AuditEntry): Promise<void>;
  /** Resolves when every record handed in so far is settled (shutdown, tests). */
  drain(): Promise<void>;
}

interface Pending {
  entry: AuditEntry;
  resolve(): void;
  reject(err: unknown): void;
}

/** At most this many records per transaction, so that one commit never holds the write lock long. */
export const defaultMaxBatch = 256;

export function createAuditBatch(deps: { db: Pick<Db, 'kysely'>; audit: AuditWriter; maxBatch?: number }): AuditBatch {
  const maxBatch = deps.maxBatch ?? defaultMaxBatch;
  let queue: Pending[] = [];
  let running: Promise<void> | null = null;

  async function commit(batch: Pending[]): Promise<void> {
    try {
      await deps.db.kysely.transaction().execute(async (trx) => {
        const entries = batch.map((pending) => pending.entry);
        if (deps.audit.writeMany) await deps.audit.writeMany(entries, trx);
        else for (const entry of entries) await deps.audit.write(entry, trx);
      });
    } catch (err) {
      const error = isAppError(err) ? err : new AppError('audit_unavailable', undefined, { cause: err });
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of batch) pending.resolve();
  }

  async function run(): Promise<void> {
    // Let the requests of this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      await commit(batch);
    }
    running = null;
  }

  return {
    write(entry) {
      return new Promise<void>((resolve, reject) => {
        queue.push({ entry, resolve, reject });
        running ??= run();
      });
    },
    async drain() {
      while (running !== null) await running;
    },
  };
}
