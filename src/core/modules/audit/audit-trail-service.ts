import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { AuditStatus } from '../../../shared/api/audit.js';
import { readAnchors } from './audit-anchors.js';
import type { AuditKeys } from './audit-keys.js';
import type { AuditRepo } from './audit-repo.js';
import { type AuditVerdict, verifyAuditChain } from './audit-verify.js';

/** What `verify` reports, as the CLI's exit code and the status endpoint's state say it. */
export function chainState(verdict: AuditVerdict): AuditStatus['state'] {
  if (verdict.ok) return 'intact';
  if (verdict.problem === 'missing-tail') return 'missing-tail';
  return verdict.problem === 'unverifiable' ? 'unverifiable' : 'broken';
}

/**
 * The audit trail as its readers see it. Today: the chain check (`audit.read`, operators and the
 * CLI), with the chain keys from the vault and the anchor file; the read-rights issue adds the
 * records each user may read, by the device scope.
 */
export function createAuditTrailService(deps: { repo: Pick<AuditRepo, 'pageAfter'>; guard: AccessGuard; keys: Pick<AuditKeys, 'all'>; anchorFile: string }) {
  async function verify({ principal, actor, pageSize }: { principal: Principal; actor: Actor; pageSize?: number }): Promise<AuditVerdict> {
    await deps.guard.require(principal, actor, 'audit.read');
    const keys = deps.keys.all();
    const anchors = keys === undefined ? undefined : await readAnchors(deps.anchorFile, keys);
    return verifyAuditChain(deps.repo, { keys, anchors, pageSize });
  }

  return {
    verify,

    /** The settings page's box: the verdict in short and the newest anchor. */
    async status(input: { principal: Principal; actor: Actor }): Promise<AuditStatus> {
      const verdict = await verify(input);
      const message = verdict.ok ? undefined : verdict.message;
      return {
        state: chainState(verdict),
        ...(message === undefined ? {} : { message }),
        warnings: verdict.ok ? verdict.warnings : [],
        records: verdict.records,
        keyed: verdict.keyed,
        unkeyedSinceKeying: verdict.unkeyedSinceKeying,
        headSeq: verdict.headSeq ?? null,
        lastAnchor: verdict.anchor === undefined ? null : { at: verdict.anchor.at, seq: verdict.anchor.seq, instance: verdict.anchor.instance },
      };
    },
  };
}

export type AuditTrailService = ReturnType<typeof createAuditTrailService>;
