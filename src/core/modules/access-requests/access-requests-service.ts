import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../lib/errors.js';
import { newId } from '../../../lib/ids.js';
import { decodeKeysetCursor, encodeKeysetCursor } from '../../../lib/keyset-cursor.js';
import type { Db, Executor } from '../../db/database.js';
import { isUniqueViolation } from '../../db/db-errors.js';
import type { Actor, AuditWriter } from '../audit/audit-writer.js';
import type { MailService } from '../mail/mail-service.js';
import type { SuperusersService } from '../superusers/superusers-service.js';
import { reasonText, requestFields, type RequestInput } from '../../../shared/access-requests/access-request-fields.js';
import { accountIdByNumber, matchesFor } from './access-request-matches.js';
import { type AccessRequest, askedFor, linkedCustomersOf, type QueuedRequest, queuedView, requestView } from './access-request-view.js';
import { createAccessRequestsRepo, type QueueRow, type Status } from './access-requests-repo.js';

export interface AccessRequestsDeps {
  db: Db;
  superusers: Pick<SuperusersService, 'linkAll'>;
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
const decided = () => new AppError('access_request_decided');

/** Superuser requests: the user asks, an operator decides (docs/superusers.md). */
export function createAccessRequestsService(deps: AccessRequestsDeps) {
  const repo = createAccessRequestsRepo(deps.db.kysely);
  const pageLink = (path: string) => new URL(path, deps.publicUrl).toString();

  async function queued(trx: Executor, rows: QueueRow[]): Promise<QueuedRequest[]> {
    const customers = await linkedCustomersOf(trx, rows);
    const out: QueuedRequest[] = [];
    for (const row of rows) out.push(queuedView(row, customers, await matchesFor(trx, { customerNo: row.customer_no, customerName: row.customer_name })));
    return out;
  }

  async function queuedById(trx: Executor, id: string): Promise<QueuedRequest> {
    const row = await repo.findById(id, trx);
    if (row === undefined) throw notFound();
    const [view] = await queued(trx, [row]);
    if (view === undefined) throw notFound();
    return view;
  }

  /** The decision mail, in the requester's language, in the deciding transaction. */
  async function mailDecision(trx: Executor, row: QueueRow, decision: { outcome: 'approved' | 'rejected'; reason: string | null; customers: Array<{ customerNo: string; name: string }> }) {
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
    async create({ userId, superuserOf, input, actor }: { userId: string; superuserOf: readonly string[]; input: RequestInput; actor: Actor }): Promise<AccessRequest> {
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
          const matched = fields.customerNo === null ? undefined : await accountIdByNumber(trx, fields.customerNo);
          if (matched !== undefined && superuserOf.includes(matched)) throw new AppError('already_superuser');
          // The partial unique index decides "one open request per subject", also under a race.
          await repo.insert(row, trx);
          await deps.audit.write(trx, {
            actor,
            action: 'access_request.create',
            target: { type: 'access-request', id: row.id },
            result: 'allowed',
            details: { customerNo: fields.customerNo, customerName: fields.customerName, relation: fields.relation, matched: matched !== undefined },
          });
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

    async listOwn({ userId }: { userId: string }): Promise<AccessRequest[]> {
      const rows = await repo.listOfUser(userId);
      const customers = await linkedCustomersOf(deps.db.kysely, rows);
      return rows.map((r) => requestView(r, customers));
    },

    async withdraw({ id, userId, actor }: { id: string; userId: string; actor: Actor }): Promise<AccessRequest> {
      return deps.db.kysely.transaction().execute(async (trx) => {
        const now = deps.clock.now().toISOString();
        const changed = await repo.decide(id, { status: 'withdrawn', decidedBy: userId, at: now, reason: null, approvedCustomerIds: null, userId }, trx);
        const row = await repo.findById(id, trx);
        // Someone else's request does not exist for this user.
        if (row === undefined || row.user_id !== userId) throw notFound();
        if (!changed) throw decided();
        await deps.audit.write(trx, { actor, action: 'access_request.withdraw', target: { type: 'access-request', id }, result: 'allowed' });
        return requestView(row, new Map());
      });
    },

    async queue({ status = 'open', cursor, limit = 50 }: { status?: Status | undefined; cursor?: string | undefined; limit?: number | undefined }) {
      if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) {
        throw new AppError('validation_failed', `The limit must be a whole number from 1 to ${maxLimit}.`, { details: [{ field: 'limit', reason: `1 to ${maxLimit}` }] });
      }
      const position = cursor === undefined ? undefined : decodeKeysetCursor(cursor, 2);
      const after = position === undefined ? undefined : { at: position[0] ?? '', id: position[1] ?? '' };
      const rows = await repo.queue({ status, after, limit: limit + 1 });
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      const nextCursor = rows.length > limit && last ? encodeKeysetCursor([(status === 'open' ? last.created_at : last.decided_at) ?? '', last.id]) : null;
      return { items: await queued(deps.db.kysely, page), nextCursor };
    },

    get({ id }: { id: string }): Promise<QueuedRequest> {
      return queuedById(deps.db.kysely, id);
    },

    /**
     * Links the requester to the chosen customer accounts (not necessarily the one asked for),
     * ends their sessions, mails them. All in one transaction with the audit records.
     */
    async approve({ id, customerIds, note, actor }: { id: string; customerIds: readonly string[]; note?: string | undefined; actor: Actor }): Promise<QueuedRequest> {
      const ids = [...new Set(customerIds)];
      if (ids.length === 0 || ids.length > maxCustomers) {
        throw new AppError('validation_failed', `customerIds: choose 1 to ${maxCustomers} customer accounts.`, { details: [{ field: 'customerIds', reason: `1 to ${maxCustomers} customer accounts` }] });
      }
      const noteText = note === undefined || note.trim() === '' ? null : reasonText(note);
      return deps.db.kysely.transaction().execute(async (trx) => {
        const row = await repo.findById(id, trx);
        if (row === undefined) throw notFound();
        const customers = await trx.selectFrom('customer_accounts').select(['id', 'customer_no', 'name']).where('id', 'in', ids).execute();
        const missing = customerIds.map((c, i) => ({ c, i })).filter(({ c }) => !customers.some((k) => k.id === c));
        if (missing.length > 0) {
          throw new AppError('validation_failed', `customerIds/${missing[0]?.i ?? 0}: no such customer account.`, {
            details: missing.map(({ i }) => ({ field: `customerIds/${i}`, reason: 'no such customer account' })),
          });
        }
        const now = deps.clock.now().toISOString();
        if (!(await repo.decide(id, { status: 'approved', decidedBy: actor.userId, at: now, reason: noteText, approvedCustomerIds: ids }, trx))) throw decided();
        const user = { id: row.user_id, email: row.requester_email };
        const { added, sessionsEnded } = await deps.superusers.linkAll(trx, { user, customerIds: ids, actor, requestId: id });
        await deps.audit.write(trx, {
          actor,
          action: 'access_request.approve',
          target: { type: 'access-request', id },
          result: 'allowed',
          details: { userId: row.user_id, customerIds: ids.join(','), newlyLinked: added.length, sessionsEnded },
        });
        // In the order the operator chose them.
        const named = ids.flatMap((cid) => customers.filter((c) => c.id === cid).map((c) => ({ customerNo: c.customer_no, name: c.name })));
        await mailDecision(trx, row, { outcome: 'approved', reason: noteText, customers: named });
        return queuedById(trx, id);
      });
    },

    async reject({ id, reason, actor }: { id: string; reason: string; actor: Actor }): Promise<QueuedRequest> {
      const text = reasonText(reason);
      return deps.db.kysely.transaction().execute(async (trx) => {
        const row = await repo.findById(id, trx);
        if (row === undefined) throw notFound();
        const now = deps.clock.now().toISOString();
        if (!(await repo.decide(id, { status: 'rejected', decidedBy: actor.userId, at: now, reason: text, approvedCustomerIds: null }, trx))) throw decided();
        await deps.audit.write(trx, { actor, action: 'access_request.reject', target: { type: 'access-request', id }, result: 'allowed', details: { userId: row.user_id } });
        await mailDecision(trx, row, { outcome: 'rejected', reason: text, customers: [] });
        return queuedById(trx, id);
      });
    },
  };
}

export type AccessRequestsService = ReturnType<typeof createAccessRequestsService>;
