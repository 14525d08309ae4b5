import type { Executor } from '../../db/database.js';
import type { AuditRow } from '../../db/schema.js';

// Reading the audit trail. Appending is the writer's (audit-writer.ts), inside the transaction of
// the change it records; nothing ever updates or deletes a record (SEC-14).

export function createAuditRepo(db: Executor) {
  return {
    /** Up to `limit` records after `afterSeq`, in chain order. */
    pageAfter(afterSeq: number, limit: number, trx: Executor = db): Promise<AuditRow[]> {
      return trx.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
    },
  };
}

export type AuditRepo = ReturnType<typeof createAuditRepo>;
