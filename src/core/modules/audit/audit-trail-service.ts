import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { AuditRepo } from './audit-repo.js';
import { type AuditVerdict, verifyAuditChain } from './audit-verify.js';

/**
 * The audit trail as its readers see it. Today: the chain check (`audit.read`, operators and the
 * CLI); the read-rights issue adds the records each user may read, by the device scope.
 */
export function createAuditTrailService(deps: { repo: Pick<AuditRepo, 'pageAfter'>; guard: AccessGuard }) {
  return {
    async verify({ principal, actor, pageSize }: { principal: Principal; actor: Actor; pageSize?: number }): Promise<AuditVerdict> {
      await deps.guard.require(principal, actor, 'audit.read');
      return verifyAuditChain(deps.repo, pageSize);
    },
  };
}

export type AuditTrailService = ReturnType<typeof createAuditTrailService>;
