import type { Clock } from '../../../lib/clock.js';
import type { Db } from '../../db/database.js';
import type { Vault } from '../../vault/vault-service.js';
import type { AuditWriter } from '../audit/audit-writer.js';

export interface TelegramCheckDeps {
  db: Db;
  vault: Vault;
  audit: AuditWriter;
  clock: Clock;
}

export function createTelegramCheckService(deps: TelegramCheckDeps) {
  void deps;
  return {};
}

export type TelegramCheckService = ReturnType<typeof createTelegramCheckService>;
