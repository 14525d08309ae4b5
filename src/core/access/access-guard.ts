import { AppError } from '../../shared/errors.js';
import type { Actor } from './actor.js';
import { can, type Permission } from './permissions.js';
import type { Principal } from './principal.js';

/**
 * Records a refusal in the audit trail (SEC-13), in a transaction of its own: the refused request
 * fails, its record must stay. The container wires it to the audit writer, so this layer imports
 * no module.
 */
export type DenialRecorder = (denial: { actor: Actor; target: { type: string; id: string }; reason: string }) => Promise<void>;

/**
 * The checks services run where the data is. A missing permission and someone else's object look
 * the same from outside — 404 `not_found` (docs/style.md 6) — and both are audited as
 * `access.deny`. Call them before opening a transaction: the refusal's record is written in a
 * transaction of its own, which on SQLite's single connection would wait for the open one.
 */
export function createAccessGuard(deps: { recordDenial: DenialRecorder }) {
  return {
    /** Throws `not_found` (audited) unless the principal holds the permission. */
    async require(principal: Principal, actor: Actor, permission: Permission): Promise<void> {
      if (can(principal, permission)) return;
      await deps.recordDenial({ actor, target: { type: 'permission', id: permission }, reason: `missing permission ${permission}` });
      throw new AppError('not_found');
    },

    /**
     * Someone asked for an object that does not exist or lies outside their scope: audited, and
     * the error to throw. The message is the same either way.
     */
    async notFound(actor: Actor, target: { type: string; id: string }, message?: string): Promise<AppError> {
      await deps.recordDenial({ actor, target, reason: `no such ${target.type} in scope` });
      return new AppError('not_found', message);
    },
  };
}

export type AccessGuard = ReturnType<typeof createAccessGuard>;
