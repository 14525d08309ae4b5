import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import type { Logger } from '../../../lib/logger.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Principal } from '../../access/principal.js';
import type { Db } from '../../db/database.js';
import type { Vault } from '../../vault/vault-service.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import { deliveryDateProblem } from '../../../shared/inventory/device-fields.js';
import type { ImportFormat, ImportRow } from './import-row.js';
import { ProblemList } from './import-problems.js';
import { recordFailure, type RowSource, runImport } from './import-run.js';
import { importView, type ImportView, type LiveProgress } from './import-view.js';
import type { ImportsRepo } from './imports-repo.js';
import { openImportFile } from './readers/index.js';
import type { SyncFeed } from '../../db/sync-feed.js';

export type { ImportView } from './import-view.js';

export interface ImportDeps {
  db: Db;
  repo: ImportsRepo;
  guard: AccessGuard;
  vault: Vault;
  audit: AuditWriter;
  clock: Clock;
  logger: Logger;
  /** The key sync's change feed (docs/key-sync.md). */
  syncFeed: Pick<SyncFeed, 'touchImport'>;
}

interface ImportOptions {
  /** Add a new key version to devices that exist instead of refusing them. */
  newVersion: boolean;
  /** Customer account (number) of rows that name none. */
  customerNo?: string;
  /** YYYY-MM-DD; the day of the import when absent. */
  deliveryDate?: string;
  principal: Principal;
  actor: Actor;
}

export interface ImportFileInput extends ImportOptions {
  path: string;
  /** The name shown in the list and the audit trail (the upload's, not the temp file's). */
  fileName: string;
  /** The KEM/KEM2 password; never stored, logged or audited. */
  password?: string;
  /** Called once the file is no longer needed: the import finished, or it never started (a spooled upload is deleted). */
  release?: () => Promise<void>;
}

export interface ImportRowsInput extends ImportOptions {
  fileName: string;
  format?: ImportFormat | null;
}

interface Running {
  id: string;
  live: LiveProgress;
  /** The view as it was created (status `running`): what `start` answers, however fast the run. */
  started: ImportView;
  done: Promise<ImportView>;
}

const RECENT = 50;

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Imports (docs/inventory.md "Import"): one at a time per instance, in the background; `start`
 * answers at once with the running import, `run` when it has finished.
 */
export function createImportService(deps: ImportDeps) {
  const { repo, guard, clock } = deps;
  let running: Running | undefined;

  async function view(id: string): Promise<ImportView | undefined> {
    const row = await repo.byId(id);
    if (row === undefined) return undefined;
    return importView(row, row.status === 'running' && running?.id === id ? running.live : undefined);
  }

  async function viewOrThrow(id: string): Promise<ImportView> {
    const found = await view(id);
    if (found === undefined) throw new AppError('not_found', `No import ${id}.`);
    return found;
  }

  /**
   * Claims the instance's one import slot, records the running import and starts the work in the
   * background. `done` settles with the final view, or rejects with the AppError that failed it.
   */
  async function begin(
    meta: { fileName: string; bytesTotal: number | null; options: ImportOptions },
    open: (recognised: (format: ImportFormat) => void) => Promise<RowSource & { sha256: string | null; close(): Promise<void> }>,
  ): Promise<Running> {
    if (running !== undefined) throw new AppError('conflict', 'Another import is running; try again when it has finished.');
    const { options } = meta;
    const dateProblem = options.deliveryDate === undefined ? undefined : deliveryDateProblem(options.deliveryDate);
    if (dateProblem) throw new AppError('validation_failed', `Delivery date: ${dateProblem}.`, { details: [{ field: 'deliveryDate', reason: dateProblem }] });
    const id = newId('imp');
    const live: LiveProgress = { rowsDone: 0, bytesDone: 0, format: null };
    const record = {
      id,
      user_id: options.principal.userId,
      file_name: meta.fileName,
      format: null,
      status: 'running' as const,
      new_version: options.newVersion ? 1 : 0,
      rows_done: 0,
      bytes_total: meta.bytesTotal,
      bytes_done: 0,
      devices_created: 0,
      keys_created: 0,
      error_code: null,
      problems: null,
      problem_count: 0,
      sha256: null,
      created_at: clock.now().toISOString(),
      finished_at: null,
    };
    // Claimed before the first await, so two starts at once cannot both pass the check above.
    const slot: Running = { id, live, started: importView(record), done: new Promise<ImportView>(() => undefined) };
    running = slot;
    try {
      await repo.insert(record);
    } catch (err) {
      running = undefined;
      throw err;
    }

    const work = async (): Promise<ImportView> => {
      const problems = new ProblemList();
      let sha256: string | null = null;
      try {
        // A file recognised but not opened (a KEM file with the wrong password) keeps its format.
        const source = await open((format) => {
          live.format = format;
        });
        sha256 = source.sha256;
        live.format = source.format;
        try {
          const input = {
            importId: id,
            fileName: meta.fileName,
            newVersion: options.newVersion,
            customerNo: options.customerNo,
            deliveryDate: options.deliveryDate ?? clock.now().toISOString().slice(0, 10),
            sha256,
            actor: options.actor,
          };
          await runImport(deps, input, source, live, problems);
        } finally {
          await source.close();
        }
      } catch (err) {
        throw await recordFailure(deps, { importId: id, fileName: meta.fileName, format: live.format, sha256, actor: options.actor }, live, problems, err);
      }
      return viewOrThrow(id);
    };
    slot.done = work().finally(() => {
      if (running === slot) running = undefined;
    });
    return slot;
  }

  function fromFile(input: ImportFileInput) {
    return async (recognised: (format: ImportFormat) => void) => {
      const sha256 = await sha256Of(input.path);
      const file = await openImportFile(input.path, { ...(input.password === undefined ? {} : { password: input.password }), onRecognised: recognised });
      return { format: file.format, bytesRead: () => file.bytesRead(), rows: () => file.rows(), close: () => file.close(), sha256 };
    };
  }

  async function startFile(input: ImportFileInput): Promise<Running> {
    const release = async (): Promise<void> => {
      await input.release?.().catch((err: unknown) => deps.logger.warn({ err: err instanceof Error ? err.message : 'error' }, 'import file not removed'));
    };
    let slot: Running;
    try {
      const size = await stat(input.path).then(
        (st) => st.size,
        () => {
          throw new AppError('file_unreadable', `${input.fileName} cannot be read.`);
        },
      );
      slot = await begin({ fileName: input.fileName, bytesTotal: size, options: input }, fromFile(input));
    } catch (err) {
      await release();
      throw err;
    }
    slot.done = slot.done.finally(release);
    return slot;
  }

  /** The permission first; a refused upload's spooled file is removed at once. */
  async function checked(input: ImportFileInput): Promise<void> {
    try {
      await guard.require(input.principal, input.actor, 'devices.import');
    } catch (err) {
      await input.release?.().catch(() => undefined);
      throw err;
    }
  }

  return {
    /** Starts an import of a file and answers at once (status `running`); 409 `conflict` while another runs. */
    async start(input: ImportFileInput): Promise<ImportView> {
      await checked(input);
      const slot = await startFile(input);
      // The outcome is recorded in the imports row (and audited); nobody awaits it here.
      slot.done.catch(() => undefined);
      return slot.started;
    },

    /** Imports a file and answers when it has finished: the view, or the AppError that failed it. */
    async run(input: ImportFileInput): Promise<ImportView> {
      await checked(input);
      return (await startFile(input)).done;
    },

    /** The same import from rows made in memory (demo seed). */
    async importRows(rows: AsyncIterable<ImportRow>, input: ImportRowsInput): Promise<ImportView> {
      await guard.require(input.principal, input.actor, 'devices.import');
      const slot = await begin({ fileName: input.fileName, bytesTotal: null, options: input }, async () => ({
        format: input.format ?? null,
        bytesRead: () => 0,
        rows: () => rows,
        close: async () => undefined,
        sha256: null,
      }));
      return slot.done;
    },

    async get({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<ImportView> {
      await guard.require(principal, actor, 'devices.import');
      return viewOrThrow(id);
    },

    /** The import once it has finished, succeeded or failed (waits while it runs on this instance). */
    async settled({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<ImportView> {
      await guard.require(principal, actor, 'devices.import');
      const slot = running;
      if (slot?.id === id) await slot.done.catch(() => undefined);
      return viewOrThrow(id);
    },

    /** The newest imports, the running one with its live progress. */
    async list({ principal, actor }: { principal: Principal; actor: Actor }): Promise<ImportView[]> {
      await guard.require(principal, actor, 'devices.import');
      const rows = await repo.recent(RECENT);
      return rows.map((row) => importView(row, row.status === 'running' && running?.id === row.id ? running.live : undefined));
    },
  };
}

export type ImportService = ReturnType<typeof createImportService>;
