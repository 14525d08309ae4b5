import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ImportSource, OpenImportOptions } from '../import-row.js';
import { ChunkSource } from './chunk-source.js';
import { openCsvSource } from './csv-reader.js';
import { openKemSource } from './kem-reader.js';
import { EXPECTED, unreadable } from './reader-errors.js';
import { sniff } from './sniff.js';
import { openZipSource } from './zip-reader.js';
import { importProblem } from '../../../../shared/inventory/import-problems.js';

/** Large reads: fewer trips through the parsers; memory stays one chunk per stage. */
const CHUNK = 1024 * 1024;

/**
 * Opens a CSV, KEM or KEM2 file, bare or in its ZIP, recognised by its content. Throws
 * AppError `file_unreadable` (details naming the member, field or byte offset) or
 * `kem_password_wrong`. The rows are read as they are asked for; `close()` (or leaving the
 * `for await` early) releases the file.
 */
export async function openImportFile(path: string, options: OpenImportOptions = {}): Promise<ImportSource> {
  const bytesTotal = (await stat(path)).size;
  const source = new ChunkSource(createReadStream(path, { highWaterMark: CHUNK }));
  const progress = { bytesTotal, bytesRead: () => source.bytesConsumed, close: () => source.close() };
  try {
    const first = await source.next();
    const kind = sniff(first);
    if (kind === 'zip') {
      await source.close();
      return await openZipSource(path, bytesTotal, options);
    }
    if (first !== undefined) source.unshift(first);
    if (kind === 'xml') return await openKemSource(source, options, progress);
    if (kind === 'text') return await openCsvSource(source, progress);
    throw kind === 'empty'
      ? unreadable(`The file is empty. ${EXPECTED}`, { field: 'file', ...importProblem('file_empty', {}) })
      : unreadable(`The file is neither text nor a ZIP. ${EXPECTED}`, { field: 'file', ...importProblem('file_type', {}) });
  } catch (err) {
    await source.close();
    throw err;
  }
}
