import type { DenialRecorder } from '../../access/access-guard.js';
import type { Db } from '../../db/database.js';
import type { AuditWriter } from './audit-writer.js';

/**
 * The access layer's denial recorder: `access.deny` in a transaction of its own, since the refused
 * request itself fails and rolls back (SEC-13). Fail-closed like every audit write: if it cannot
 * be written, the refusal becomes 503 `audit_unavailable`.
 */
export function createDenialRecorder(deps: { db: Db; audit: AuditWriter }): DenialRecorder {
  return ({ actor, target, reason }) =>
    deps.db.kysely.transaction().execute((trx) => deps.audit.write({ actor, action: 'access.deny', target, result: 'denied', reason }, trx));
}
