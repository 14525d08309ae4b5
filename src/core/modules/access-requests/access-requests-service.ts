import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../../lib/keyset-cursor.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { Db, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { MailService } from '../mail/mail-service.js';
import type { SuperusersService } from '../superusers/superusers-service.js';
import { reasonText, requestFields, type RequestInput } from '../../../shared/access-requests/access-request-fields.js';
import { type AccessRequest, approvedIdsOfAll, askedFor, type LinkedCustomerRef, type QueuedRequest, queuedView, requestView } from './access-request-view.js';
import type { AccessRequestsRepo, QueueRow, Status } from './access-requests-repo.js';
import type { CustomerMatchesRepo } from './customer-matches-repo.js';

export interface AccessRequestsDeps {
  db: Db;
  repo: AccessRequestsRepo;
  customers: CustomerMatchesRepo;
  superusers: Pick<SuperusersService, 'linkAll'>;
  guard: AccessGuard;
  audit: AuditWriter;
  mail: Pick<MailService, 'enqueue'>;
  clock: Clock;
  publicUrl: URL;
  /** Called after a request committed: the operators' mail (or digest) is due soon. */
  onCreated?: () => void;
}

const maxLimit = 200;
const maxCustomers = 50;

const notFound = () => new AppError('not_found', 'No such request.');

/** Requests are a person's own: the user behind the principal (a token's, its user's). */
function ownerOf(principal: Principal): string {
  if (principal.userId === null) throw new AppError('not_found');
  return principal.userId;
}
const decided = () => new AppError('access_request_decided');

/**
 * Superuser requests (docs/superusers.md): the user asks (`access.request`, their own requests
 * only), an operator decides (`access.decide`). Every method checks the caller itself.
 */
export function createAccessRequestsService(deps: AccessRequestsDeps) {
  const { repo, guard } = deps;
  const pageLink = (path: string) => new URL(path, deps.publicUrl).toString();

  /** The customer accounts of several requests' approvals, in one query. */
  async function linkedCustomersOf(rows: ReadonlyArray<Parameters<typeof approvedIdsOfAll>[0][number]>, trx?: Executor): Promise<Map<string, LinkedCustomerRef>> {
    return new Map((await deps.customers.namedByIds(approvedIdsOfAll(rows), trx)).map((c) => [c.id, c]));
  }

  async function queued(rows: QueueRow[], trx: Executor): Promise<QueuedRequest[]> {
    const customers = await linkedCustomersOf(rows, trx);
    const out: QueuedRequest[] = [];
    for (const row of rows) out.push(queuedView(row, customers, await deps.customers.matchesFor({ customerNo: row.customer_no, customerName: row.customer_name }, trx)));
    return out;
  }

  async function queuedById(id: string, trx: Executor): Promise<QueuedRequest> {
    const row = await repo.findById(id, trx);
    if (row === undefined) throw notFound();
    const [view] = await queued([row], trx);
    if (view === undefined) throw notFound();
    return view;
  }

  /** The decision mail, in the requester's language, in the deciding transaction. */
  async function mailDecision(row: QueueRow, decision: { outcome: 'approved' | 'rejected'; reason: string | null; customers: Array<{ customerNo: string; name: string }> }, trx: Executor) {
    await deps.mail.enqueue(
      {
        to: row.requester_email,
        template: 'access-request-decided',
        language: row.requester_language,
        data: { ...decision, asked: askedFor(row), link: pageLink('/access') },
      },
      trx,
    );
  }

  return {
    async create({ principal, actor, input }: { principal: Principal; actor: Actor; input: RequestInput }): Promise<AccessRequest> {
      await guard.require(principal, actor, 'access.request');
      const userId = ownerOf(principal);
      const fields = requestFields(input);
      const now = deps.clock.now().toISOString();
      const row = {
        id: newId('arq'),
        user_id: userId,
        customer_no: fields.customerNo,
        customer_name: fields.customerName,
        subject: fields.subject,
        relation: fields.relation,
        comment: fields.comment,
        status: 'open' as const,
        decided_by: null,
        decided_at: null,
        decision_reason: null,
        approved_customer_ids: null,
        operators_notified_at: null,
        created_at: now,
        updated_at: now,
      };
      try {
        await deps.db.kysely.transaction().execute(async (trx) => {
          const matched = fields.customerNo === null ? undefined : await deps.customers.accountIdByNumber(fields.customerNo, trx);
          if (matched !== undefined && principal.customerAccountIds.includes(matched)) throw new AppError('already_superuser');
          // The partial unique index decides "one open request per subject", also under a race.
          await repo.insert(row, trx);
          await deps.audit.write({
            actor,
            action: 'access_request.create',
            target: { type: 'access-request', id: row.id },
            result: 'allowed',
            details: { customerNo: fields.customerNo, customerName: fields.customerName, relation: fields.relation, matched: matched !== undefined },
          }, trx);
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new AppError('access_request_open', `You already have an open request for ${fields.customerNo !== null ? `customer number "${fields.customerNo}"` : `"${fields.customerName ?? ''}"`}.`);
        }
        throw err;
      }
      deps.onCreated?.();
      return requestView(row, new Map());
    },

    async listOwn({ principal, actor }: { principal: Principal; actor: Actor }): Promise<AccessRequest[]> {
      await guard.require(principal, actor, 'access.request');
      const rows = await repo.listOfUser(ownerOf(principal));
      const customers = await linkedCustomersOf(rows);
      return rows.map((r) => requestView(r, customers));
    },

    async withdraw({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<AccessRequest> {
      await guard.require(principal, actor, 'access.request');
      const userId = ownerOf(principal);
      return deps.db.kysely.transaction().execute(async (trx) => {
        const now = deps.clock.now().toISOString();
        const changed = await repo.decide(id, { status: 'withdrawn', decidedBy: userId, at: now, reason: null, approvedCustomerIds: null, userId }, trx);
        const row = await repo.findById(id, trx);
        // Someone else's request does not exist for this user.
        if (row === undefined || row.user_id !== userId) throw notFound();
        if (!changed) throw decided();
        await deps.audit.write({ actor, action: 'access_request.withdraw', target: { type: 'access-request', id }, result: 'allowed' }, trx);
        return requestView(row, new Map());
      });
    },

    async queue({ principal, actor, query: { status = 'open', cursor, limit = 50 } }: { principal: Principal; actor: Actor; query: { status?: Status | undefined; cursor?: string | undefined; limit?: number | undefined } }) {
      await guard.require(principal, actor, 'access.decide');
      if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
        throw new AppError('validation_failed', `The limit must be a whole number from 1 to ${maxLimit}.`, { details: [{ field: 'limit', reason: `1 to ${maxLimit}` }] });
      }
      const position = cursor === undefined ? undefined : decodeKeysetCursor(cursor, 2);
      const after = position === undefined ? undefined : { at: position[0] ?? '', id: position[1] ?? '' };
      const rows = await repo.queue({ status, after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor = rows.length > limit && last ? encodeKeysetCursor([(status === 'open' ? last.created_at : last.decided_at) ?? '', last.id]) : null;
      return { items: await queued(page, deps.db.kysely), nextCursor };
    },

    async get({ principal, actor, id }: { principal: Principal; actor: Actor; id: string }): Promise<QueuedRequest> {
      await guard.require(principal, actor, 'access.decide');
      return queuedById(id, deps.db.kysely);
    },

    /**
     * Links the requester to the chosen customer accounts (not necessarily the one asked for),
     * ends their sessions, mails them. All in one transaction with the audit records.
     */
    async approve({ principal, actor, id, customerIds, note }: { principal: Principal; actor: Actor; id: string; customerIds: readonly string[]; note?: string | undefined }): Promise<QueuedRequest> {
      await guard.require(principal, actor, 'access.decide');
      const ids = [...new Set(customerIds)];
      if (ids.length === 0 || ids.length > maxCustomers) {
        throw new AppError('validation_failed', `customerIds: choose 1 to ${maxCustomers} customer accounts.`, { details: [{ field: 'customerIds', reason: `1 to ${maxCustomers} customer accounts` }] });
      }
      const noteText = note === undefined || note.trim() === '' ? null : reasonText(note);
      return deps.db.kysely.transaction().execute(async (trx) => {
        const row = await repo.findById(id, trx);
        if (row === undefined) throw notFound();
        const customers = await deps.customers.namedByIds(ids, trx);
        const missing = customerIds.map((c, i) => ({ c, i })).filter(({ c }) => !customers.some((k) => k.id === c));
        if (missing.length > 0) {
          throw new AppError('validation_failed', `customerIds/${missing[0]?.i ?? 0}: no such customer account.`, {
            details: missing.map(({ i }) => ({ field: `customerIds/${i}`, reason: 'no such customer account' })),
          });
        }
        const now = deps.clock.now().toISOString();
        if (!(await repo.decide(id, { status: 'approved', decidedBy: actor.userId, at: now, reason: noteText, approvedCustomerIds: ids }, trx))) throw decided();
        const user = { id: row.user_id, email: row.requester_email };
        const { added, sessionsEnded } = await deps.superusers.linkAll({ user, customerIds: ids, actor, requestId: id }, trx);
        await deps.audit.write({
          actor,
          action: 'access_request.approve',
          target: { type: 'access-request', id },
          result: 'allowed',
          details: { userId: row.user_id, customerIds: ids.join(','), newlyLinked: added.length, sessionsEnded },
        }, trx);
        // In the order the operator chose them.
        const named = ids.flatMap((cid) => customers.filter((c) => c.id === cid).map((c) => ({ customerNo: c.customerNo, name: c.name })));
        await mailDecision(row, { outcome: 'approved', reason: noteText, customers: named }, trx);
        return queuedById(id, trx);
      });
    },

    async reject({ principal, actor, id, reason }: { principal: Principal; actor: Actor; id: string; reason: string }): Promise<QueuedRequest> {
      await guard.require(principal, actor, 'access.decide');
      const text = reasonText(reason);
      return deps.db.kysely.transaction().execute(async (trx) => {
        const row = await repo.findById(id, trx);
        if (row === undefined) throw notFound();
        const now = deps.clock.now().toISOString();
        if (!(await repo.decide(id, { status: 'rejected', decidedBy: actor.userId, at: now, reason: text, approvedCustomerIds: null }, trx))) throw decided();
        await deps.audit.write({ actor, action: 'access_request.reject', target: { type: 'access-request', id }, result: 'allowed', details: { userId: row.user_id } }, trx);
        await mailDecision(row, { outcome: 'rejected', reason: text, customers: [] }, trx);
        return queuedById(id, trx);
      });
    },
  };
}

export type AccessRequestsService = ReturnType<typeof createAccessRequestsService>;
