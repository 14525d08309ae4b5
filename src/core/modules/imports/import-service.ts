import type { Clock } from '../../../lib/clock.js';
import type { Logger } from '../../../lib/logger.js';
import type { Db } from '../../db/database.js';
import type { Vault } from '../../vault/vault-service.js';
import type { AuditWriter } from '../audit/audit-writer.js';

export interface ImportDeps {
  db: Db;
  vault: Vault;
  audit: AuditWriter;
  clock: Clock;
  logger: Logger;
}

export function createImportService(deps: ImportDeps) {
  void deps;
  return {};
}

export type ImportService = ReturnType<typeof createImportService>;
