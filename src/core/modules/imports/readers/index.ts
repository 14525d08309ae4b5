import { AppError } from '../../../../lib/errors.js';
import type { ImportSource, OpenImportOptions } from '../import-row.js';

/**
 * Opens a CSV, KEM or KEM2 file, bare or in its ZIP, recognised by its content. Throws
 * AppError `file_unreadable` (details naming the member, field or byte offset) or
 * `kem_password_wrong`.
 */
export async function openImportFile(path: string, options: OpenImportOptions = {}): Promise<ImportSource> {
  void path;
  void options;
  throw new AppError('file_unreadable', 'Import readers are not built yet.');
}
