import { systemClock } from '../lib/clock.js';
import { createAccessGuard } from '../core/access/access-guard.js';
import type { Db } from '../core/db/database.js';
import { createDenialRecorder } from '../core/modules/audit/audit-denials.js';
import { createAuditRepo } from '../core/modules/audit/audit-repo.js';
import { createAuditTrailService } from '../core/modules/audit/audit-trail-service.js';
import { createAuditWriter } from '../core/modules/audit/audit-writer.js';

/**
 * The audit trail on the database alone, without the vault or the rest of the container:
 * `openeks audit verify` must work while the master key is missing or the vault sealed.
 */
export function openAuditTrail(db: Db) {
  const audit = createAuditWriter({ dialect: db.dialect, clock: systemClock });
  const guard = createAccessGuard({ recordDenial: createDenialRecorder({ db, audit }) });
  return createAuditTrailService({ repo: createAuditRepo(db.kysely), guard });
}
