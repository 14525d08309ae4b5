import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../../lib/keyset-cursor.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Principal } from '../../access/principal.js';
import type { Db, Executor } from '../../db/database.js';
import type { UserRow } from '../../db/schema.js';
import type { Actor } from '../../access/actor.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { SessionsRepo } from '../auth/sessions-repo.js';
import type { CustomersRepo } from '../customers/customers-repo.js';
import type { UsersRepo } from '../auth/users-repo.js';
import type { LinkListing, SuperuserLinksRepo } from './superuser-links-repo.js';
import type { SyncFeed } from '../../db/sync-feed.js';

export interface SuperuserLink {
  user: { id: string; email: string; name: string | null };
  customer: { id: string; customerNo: string; name: string };
  linkedAt: string;
  linkedBy: { id: string; email: string } | null;
  requestId: string | null;
}

export interface LinkedCustomer {
  id: string;
  customerNo: string;
  name: string;
  linkedAt: string;
}

const maxLimit = 200;

const view = (row: LinkListing): SuperuserLink => ({
  user: { id: row.user_id, email: row.email, name: row.user_name },
  customer: { id: row.customer_account_id, customerNo: row.customer_no, name: row.customer_name },
  linkedAt: row.created_at,
  linkedBy: row.linked_by !== null && row.linked_by_email !== null ? { id: row.linked_by, email: row.linked_by_email } : null,
  requestId: row.request_id,
});

const invalid = (field: string, reason: string, message: string) => new AppError('validation_failed', message, { details: [{ field, reason }] });

export interface SuperusersDeps {
  db: Db;
  links: SuperuserLinksRepo;
  users: Pick<UsersRepo, 'findByEmail' | 'findById'>;
  sessions: Pick<SessionsRepo, 'deleteAllOfUser'>;
  customers: Pick<CustomersRepo, 'exists'>;
  guard: AccessGuard;
  audit: AuditWriter;
  clock: Clock;
  /** The key sync's change feed (docs/key-sync.md): a user whose scope changed. */
  syncFeed: Pick<SyncFeed, 'touchUser'>;
}

/** Who is superuser of which customer account; linking and unlinking (docs/superusers.md). */
export function createSuperusersService(deps: SuperusersDeps) {
  /**
   * Links the user to the customer accounts not linked yet, inside the caller's transaction: one
   * superuser.link record each, and every session of the user ends — a privilege change gets a
   * new session (SEC-24), and the next sign-in asks for the second factor superusers must have.
   */
  async function linkAll(input: { user: Pick<UserRow, 'id' | 'email'>; customerIds: readonly string[]; actor: Actor; requestId: string | null }, trx: Executor) {
    const now = deps.clock.now().toISOString();
    const added = await deps.links.insertMissing(
      input.customerIds.map((customerId) => ({ user_id: input.user.id, customer_account_id: customerId, linked_by: input.actor.userId, request_id: input.requestId, created_at: now })),
      trx,
    );
    const sessionsEnded = added.length > 0 ? await deps.sessions.deleteAllOfUser(input.user.id, trx) : 0;
    for (const customerId of added) {
      await deps.audit.write({
        actor: input.actor,
        action: 'superuser.link',
        target: { type: 'customer', id: customerId },
        result: 'allowed',
        details: { userId: input.user.id, requestId: input.requestId, sessionsEnded },
      }, trx);
    }
    if (added.length > 0) await deps.syncFeed.touchUser(input.user.id, now, trx);
    return { added, sessionsEnded };
  }

  async function one(userId: string, customerId: string, trx?: Executor): Promise<SuperuserLink> {
    const [row] = await deps.links.list({ userId, customerAccountId: customerId, limit: 1 }, trx);
    if (row === undefined) throw new AppError('not_found', 'No such superuser link.');
    return view(row);
  }

  return {
    linkAll,

    async list({ principal, actor, query }: { principal: Principal; actor: Actor; query: { customerId?: string | undefined; userId?: string | undefined; cursor?: string | undefined; limit?: number | undefined } }) {
      await deps.guard.require(principal, actor, 'superusers.manage');
      const limit = query.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw invalid('limit', `1 to ${maxLimit}`, `The limit must be a whole number from 1 to ${maxLimit}.`);
      const position = query.cursor === undefined ? undefined : decodeKeysetCursor(query.cursor, 2);
      const after = position === undefined ? undefined : { customerNo: position[0] ?? '', email: position[1] ?? '' };
      const rows = await deps.links.list({ customerAccountId: query.customerId, userId: query.userId, after, limit: limit + 1 });
      const items = rows.slice(0, limit);
      const last = items[items.length - 1];
      return { items: items.map(view), nextCursor: rows.length > limit && last ? encodeKeysetCursor([last.customer_no, last.email]) : null };
    },

    /** An operator links a user (by e-mail) directly, without a request. */
    async link({ principal, actor, email, customerId }: { principal: Principal; actor: Actor; email: string; customerId: string }): Promise<SuperuserLink> {
      await deps.guard.require(principal, actor, 'superusers.manage');
      return deps.db.kysely.transaction().execute(async (trx) => {
        const user = await deps.users.findByEmail(email.trim(), trx);
        if (user === undefined) throw invalid('email', 'no such user', `There is no user with the e-mail address "${email.trim()}".`);
        if (user.is_operator === 1) throw invalid('email', 'is an operator', 'Operators see every device already; they cannot be superusers.');
        if (!(await deps.customers.exists(customerId, trx))) throw invalid('customerId', 'no such customer account', `Customer account ${customerId} was not found.`);
        const { added } = await linkAll({ user, customerIds: [customerId], actor, requestId: null }, trx);
        if (added.length === 0) throw new AppError('superuser_link_exists');
        return one(user.id, customerId, trx);
      });
    },

    /** Takes effect on the user's next request: the links are read with the session every time. */
    async unlink({ principal, actor, userId, customerId }: { principal: Principal; actor: Actor; userId: string; customerId: string }): Promise<void> {
      await deps.guard.require(principal, actor, 'superusers.manage');
      await deps.db.kysely.transaction().execute(async (trx) => {
        if (!(await deps.links.delete(userId, customerId, trx))) throw new AppError('not_found', 'No such superuser link.');
        await deps.audit.write({ actor, action: 'superuser.unlink', target: { type: 'customer', id: customerId }, result: 'allowed', details: { userId } }, trx);
        await deps.syncFeed.touchUser(userId, deps.clock.now().toISOString(), trx);
      });
    },

    /** The customer accounts the principal's user is superuser of (their own view). */
    async customersOf({ principal }: { principal: Principal }): Promise<LinkedCustomer[]> {
      if (principal.userId === null) return [];
      const rows = await deps.links.list({ userId: principal.userId, limit: 1_000 });
      return rows.map((r) => ({ id: r.customer_account_id, customerNo: r.customer_no, name: r.customer_name, linkedAt: r.created_at }));
    },
  };
}

export type SuperusersService = ReturnType<typeof createSuperusersService>;
