import type { Clock } from '../../../lib/clock.js';
import type { Db } from '../../db/database.js';
import type { Vault } from '../../vault/vault-service.js';
import type { AuditWriter } from '../audit/audit-writer.js';

export interface KeyVersionsDeps {
  db: Db;
  vault: Vault;
  audit: AuditWriter;
  clock: Clock;
}

export function createKeyVersionsService(deps: KeyVersionsDeps) {
  void deps;
  return {};
}

export type KeyVersionsService = ReturnType<typeof createKeyVersionsService>;
