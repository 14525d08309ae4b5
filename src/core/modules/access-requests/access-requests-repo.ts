import type { Executor } from '../../db/database.js';
import type { AccessRequestRow } from '../../db/schema.js';

export type Status = AccessRequestRow['status'];

export type QueueRow = AccessRequestRow & { requester_email: string; requester_name: string | null; requester_language: 'de' | 'en'; decider_email: string | null };

export interface QueuePosition {
  /** created_at for open requests, decided_at for decided ones. */
  at: string;
  id: string;
}

function withPeople(trx: Executor) {
  return trx
    .selectFrom('access_requests as r')
    .innerJoin('users as u', 'u.id', 'r.user_id')
    .leftJoin('users as d', 'd.id', 'r.decided_by')
    .selectAll('r')
    .select(['u.email as requester_email', 'u.name as requester_name', 'u.language as requester_language', 'd.email as decider_email']);
}

export function createAccessRequestsRepo(db: Executor) {
  return {
    async insert(row: AccessRequestRow, trx: Executor = db): Promise<void> {
      await trx.insertInto('access_requests').values(row).execute();
    },

    findById(id: string, trx: Executor = db): Promise<QueueRow | undefined> {
      return withPeople(trx).where('r.id', '=', id).executeTakeFirst();
    },

    /** A user's own requests, newest first (a user has a handful). */
    listOfUser(userId: string, trx: Executor = db): Promise<AccessRequestRow[]> {
      return trx.selectFrom('access_requests').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(200).execute();
    },

    /** Open: who waited longest first; decided: newest decision first. Keyset paging. */
    queue(query: { status: Status; after?: QueuePosition | undefined; limit: number }, trx: Executor = db): Promise<QueueRow[]> {
      const open = query.status === 'open';
      const column = open ? 'r.created_at' : 'r.decided_at';
      let select = withPeople(trx).where('r.status', '=', query.status);
      const after = query.after;
      if (after !== undefined) {
        select = open
          ? select.where((eb) => eb.or([eb(column, '>', after.at), eb.and([eb(column, '=', after.at), eb('r.id', '>', after.id)])]))
          : select.where((eb) => eb.or([eb(column, '<', after.at), eb.and([eb(column, '=', after.at), eb('r.id', '<', after.id)])]));
      }
      const direction = open ? 'asc' : 'desc';
      return select.orderBy(column, direction).orderBy('r.id', direction).limit(query.limit).execute();
    },

    /**
     * Moves an open request to its decision, or does nothing if it is no longer open: one
     * conditional UPDATE, so of two operators deciding at once exactly one succeeds.
     */
    async decide(
      id: string,
      change: { status: Exclude<Status, 'open'>; decidedBy: string | null; at: string; reason: string | null; approvedCustomerIds: readonly string[] | null; userId?: string },
      trx: Executor = db,
    ): Promise<boolean> {
      let update = trx
        .updateTable('access_requests')
        .set({
          status: change.status,
          decided_by: change.decidedBy,
          decided_at: change.at,
          decision_reason: change.reason,
          approved_customer_ids: change.approvedCustomerIds === null ? null : JSON.stringify(change.approvedCustomerIds),
          updated_at: change.at,
        })
        .where('id', '=', id)
        .where('status', '=', 'open');
      if (change.userId !== undefined) update = update.where('user_id', '=', change.userId);
      const result = await update.executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },

    /**
     * Claims the open requests created at or before `createdBefore` whose operators' mail is still
     * due, marking them notified. Claimed by one UPDATE … RETURNING, so two instances never mail
     * the same request twice.
     */
    async claimUnnotified(input: { createdBefore: string; now: string }, trx: Executor = db): Promise<string[]> {
      const rows = await trx
        .updateTable('access_requests')
        .set({ operators_notified_at: input.now })
        .where('operators_notified_at', 'is', null)
        .where('created_at', '<=', input.createdBefore)
        .returning('id')
        .execute();
      return rows.map((r) => r.id);
    },

    /** The oldest creation time among requests whose operators' mail is still due. */
    /** The open ones of these requests with their requester's e-mail, oldest first (the operators' digest). */
    openWithRequester(ids: readonly string[], trx: Executor = db) {
      return trx
        .selectFrom('access_requests as r')
        .innerJoin('users as u', 'u.id', 'r.user_id')
        .select(['u.email', 'r.customer_no', 'r.customer_name', 'r.relation'])
        .where('r.id', 'in', ids)
        .where('r.status', '=', 'open')
        .orderBy('r.created_at')
        .execute();
    },

    async oldestUnnotified(trx: Executor = db): Promise<string | undefined> {
      const row = await trx.selectFrom('access_requests').select('created_at').where('operators_notified_at', 'is', null).orderBy('created_at').limit(1).executeTakeFirst();
      return row?.created_at;
    },
  };
}

export type AccessRequestsRepo = ReturnType<typeof createAccessRequestsRepo>;
