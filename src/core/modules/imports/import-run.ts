import { performance } from 'node:perf_hooks';
import type { Clock } from '../../../lib/clock.js';
import { AppError, isAppError } from '../../../shared/errors.js';
import { importProblem } from '../../../shared/inventory/import-problems.js';
import type { Logger } from '../../../lib/logger.js';
import type { Db } from '../../db/database.js';
import { openLongTransaction } from '../../db/long-transaction.js';
import { createStatisticsRefresh } from '../../db/planner-statistics.js';
import type { Vault } from '../../vault/vault-service.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import { createBatchWriter } from './import-batch.js';
import type { ImportFormat, ImportRow } from './import-row.js';
import type { ProblemList } from './import-problems.js';
import { checkRow, type ValidRow } from './import-validate.js';
import type { LiveProgress } from './import-view.js';
import type { ImportsRepo } from './imports-repo.js';
import type { SyncFeed } from '../../db/sync-feed.js';

// One import run, from its rows to the committed (or rolled back) transaction and the final
// state of its `imports` row. All or nothing: every row is read and checked, every bad row is
// listed, and the transaction commits only when there was none.

export interface RunDeps {
  db: Db;
  repo: ImportsRepo;
  vault: Pick<Vault, 'encrypt'>;
  audit: AuditWriter;
  clock: Clock;
  logger: Logger;
  /** The key sync's change feed (docs/key-sync.md): the devices that got key versions. */
  syncFeed: Pick<SyncFeed, 'touchImport'>;
}

/** What the rows come from: a file opened by a reader, or rows built in memory (demo seed). */
export interface RowSource {
  format: ImportFormat | null;
  bytesRead(): number;
  rows(): AsyncIterable<ImportRow>;
}

export interface RunInput {
  importId: string;
  fileName: string;
  newVersion: boolean;
  customerNo?: string;
  /** YYYY-MM-DD, already checked. */
  deliveryDate: string;
  sha256: string | null;
  actor: Actor;
}

/** Rows per batch: one lookup query and a few multi-row inserts each. */
export const BATCH_ROWS = 1_000;
const PROGRESS_EVERY_MS = 1_000;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Imports every row of `source` in one transaction. Resolves with the counts when it committed;
 * rejects with an AppError (`import_rejected` with the problems, or the reader's) after a rollback.
 */
export async function runImport(
  deps: RunDeps,
  input: RunInput,
  source: RowSource,
  live: LiveProgress,
  problems: ProblemList,
): Promise<{ devicesCreated: number; keysCreated: number }> {
  const { db, repo } = deps;
  const now = deps.clock.now().toISOString();
  let lastWrite = performance.now();
  let batch: ValidRow[] = [];

  const refreshStatistics = createStatisticsRefresh(db);
  const connection = await openLongTransaction(db);

  // Where the connection allows it (PostgreSQL's pool), progress goes to the row outside the
  // import's transaction, so every instance sees it. Otherwise (SQLite's one write lock) this
  // instance serves the live figures from memory and the row gets them at the end.
  async function progress(): Promise<void> {
    live.bytesDone = source.bytesRead();
    const writer = connection.progressWriter;
    if (writer === undefined || performance.now() - lastWrite < PROGRESS_EVERY_MS) return;
    lastWrite = performance.now();
    await repo.setProgress(input.importId, { rowsDone: live.rowsDone, bytesDone: live.bytesDone }, writer);
  }

  try {
    return await connection.kysely.transaction().execute(async (trx) => {
      if (connection.lockFirst) await repo.setFormat(input.importId, source.format, trx);
      const batches = createBatchWriter({
        repo,
        vault: deps.vault,
        trx,
        importId: input.importId,
        newVersion: input.newVersion,
        deliveryDate: input.deliveryDate,
        now,
        problems,
      });
      try {
        for await (const row of source.rows()) {
          live.rowsDone += 1;
          const checked = checkRow(row, { customerNo: input.customerNo });
          if (checked.ok) batch.push(checked.value);
          else problems.addAll(checked.problems);
          if (batch.length >= BATCH_ROWS) {
            const full = batch;
            batch = [];
            await batches.write(full);
            const counts = batches.counts();
            await refreshStatistics({ devices: counts.devicesCreated, device_keys: counts.keysCreated }, trx);
            await progress();
            // better-sqlite3 answers synchronously: let other requests in between batches.
            await nextTurn();
          }
        }
        const last = batch;
        batch = [];
        if (last.length > 0) await batches.write(last);
      } finally {
        for (const row of batch) row.key.fill(0);
      }
      live.bytesDone = source.bytesRead();
      if (live.rowsDone === 0) problems.add({ field: 'file', ...importProblem('no_devices', {}) });
      if (problems.count > 0) {
        const rows = problems.count === 1 ? 'a row is' : `${problems.count} rows are`;
        throw new AppError('import_rejected', `${input.fileName} was not imported because ${rows} not valid; nothing was stored.`, { details: problems.kept });
      }
      const { devicesCreated, keysCreated } = batches.counts();
      await repo.finish(
        input.importId,
        {
          status: 'succeeded',
          format: source.format,
          rows_done: live.rowsDone,
          bytes_done: live.bytesDone,
          devices_created: devicesCreated,
          keys_created: keysCreated,
          error_code: null,
          sha256: input.sha256,
          problems: '[]',
          problem_count: 0,
          finished_at: deps.clock.now().toISOString(),
        },
        trx,
      );
      await deps.audit.write({
        actor: input.actor,
        action: 'import.complete',
        target: { type: 'import', id: input.importId },
        result: 'allowed',
        details: {
          fileName: input.fileName,
          format: source.format,
          sha256: input.sha256,
          devicesCreated,
          keysCreated,
          newVersion: input.newVersion,
        },
      }, trx);
      await deps.syncFeed.touchImport(input.importId, now, trx);
      return { devicesCreated, keysCreated };
    });
  } finally {
    await connection.close();
  }
}

/** After a rollback (or a file that did not open): the row says why, and `import.reject` is audited. */
export async function recordFailure(
  deps: RunDeps,
  input: { importId: string; fileName: string; format: ImportFormat | null; sha256: string | null; actor: Actor },
  live: LiveProgress,
  found: ProblemList,
  err: unknown,
): Promise<AppError> {
  const error = isAppError(err) ? err : new AppError('internal', undefined, { cause: err });
  if (!isAppError(err)) deps.logger.error({ importId: input.importId, err: err instanceof Error ? err.message : 'error' }, 'import failed');
  const problems = error.details ?? [];
  const problemCount = error.code === 'import_rejected' ? found.count : problems.length;
  await deps.db.kysely.transaction().execute(async (trx) => {
    await deps.repo.finish(
      input.importId,
      {
        status: 'failed',
        format: input.format,
        rows_done: live.rowsDone,
        bytes_done: live.bytesDone,
        devices_created: 0,
        keys_created: 0,
        error_code: error.code,
        problems: JSON.stringify(problems),
        problem_count: problemCount,
        sha256: input.sha256,
        finished_at: deps.clock.now().toISOString(),
      },
      trx,
    );
    await deps.audit.write({
      actor: input.actor,
      action: 'import.reject',
      target: { type: 'import', id: input.importId },
      result: 'error',
      reason: error.message,
      details: { fileName: input.fileName, errorCode: error.code, problemCount },
    }, trx);
  });
  return error;
}
