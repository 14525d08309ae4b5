import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import type { Db } from '../../db/database.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { SessionsRepo } from './sessions-repo.js';
import type { UsersRepo } from './users-repo.js';
import type { SyncFeed } from '../../db/sync-feed.js';

/** What operators do to other accounts. */
export function createUserAdminService(deps: { db: Db; users: Pick<UsersRepo, 'findById' | 'update'>; sessions: Pick<SessionsRepo, 'deleteAllOfUser'>; guard: AccessGuard; audit: AuditWriter; clock: Clock; syncFeed: Pick<SyncFeed, 'touchUser'> }) {
  return {
    /**
     * Disables an account and ends all its sessions in the same transaction (SEC-24, SEC-29):
     * its next request, already under way or not, finds no session. Sign-in refuses it after.
     */
    async disable({ principal, userId, actor }: { principal: Principal; userId: string; actor: Actor }): Promise<{ sessionsEnded: number }> {
      await deps.guard.require(principal, actor, 'users.manage');
      if (userId === principal.userId) throw new AppError('conflict', 'You cannot disable your own account.');
      return deps.db.kysely.transaction().execute(async (trx) => {
        const user = await deps.users.findById(userId, trx);
        if (!user) throw new AppError('not_found', `No user ${userId}.`);
        if (user.status !== 'disabled') await deps.users.update(user.id, { status: 'disabled', updated_at: deps.clock.now().toISOString() }, trx);
        const sessionsEnded = await deps.sessions.deleteAllOfUser(user.id, trx);
        await deps.audit.write({ actor, action: 'user.disable', target: { type: 'user', id: user.id }, result: 'allowed', details: { sessionsEnded, previousStatus: user.status } }, trx);
        await deps.syncFeed.touchUser(user.id, deps.clock.now().toISOString(), trx);
        return { sessionsEnded };
      });
    },
  };
}

export type UserAdminService = ReturnType<typeof createUserAdminService>;
