import type { Clock } from '../../../lib/clock.js';
import type { Db } from '../../db/database.js';
import type { AuditWriter } from '../audit/audit-writer.js';

export interface CustomersDeps {
  db: Db;
  audit: AuditWriter;
  clock: Clock;
}

export function createCustomersService(deps: CustomersDeps) {
  void deps;
  return {};
}

export type CustomersService = ReturnType<typeof createCustomersService>;
