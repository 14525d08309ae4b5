import type { Executor } from '../../db/database.js';
import type { AccessRequestRow } from '../../db/schema.js';
import type { Matches } from './access-request-matches.js';
import type { QueueRow } from './access-requests-repo.js';

// The API's views of a request (docs/superusers.md): the requester's and the operators'.

export interface LinkedCustomerRef {
  id: string;
  customerNo: string;
  name: string;
}

export interface AccessRequest {
  id: string;
  customerNo: string | null;
  customerName: string | null;
  relation: AccessRequestRow['relation'];
  comment: string | null;
  status: AccessRequestRow['status'];
  createdAt: string;
  decidedAt: string | null;
  decisionReason: string | null;
  linkedCustomers: LinkedCustomerRef[];
}

export interface QueuedRequest extends AccessRequest {
  requester: { id: string; email: string; name: string | null };
  decidedBy: { id: string; email: string } | null;
  matches: Matches;
}

export function approvedIdsOf(row: Pick<AccessRequestRow, 'approved_customer_ids'>): string[] {
  if (row.approved_customer_ids === null) return [];
  const value: unknown = JSON.parse(row.approved_customer_ids);
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/** The customer accounts of several requests' approvals, in one query. */
export async function linkedCustomersOf(trx: Executor, rows: ReadonlyArray<Pick<AccessRequestRow, 'approved_customer_ids'>>): Promise<Map<string, LinkedCustomerRef>> {
  const ids = [...new Set(rows.flatMap(approvedIdsOf))];
  const found = new Map<string, LinkedCustomerRef>();
  if (ids.length === 0) return found;
  const customers = await trx.selectFrom('customer_accounts').select(['id', 'customer_no', 'name']).where('id', 'in', ids).execute();
  for (const c of customers) found.set(c.id, { id: c.id, customerNo: c.customer_no, name: c.name });
  return found;
}

export function requestView(row: AccessRequestRow, customers: ReadonlyMap<string, LinkedCustomerRef>): AccessRequest {
  return {
    id: row.id,
    customerNo: row.customer_no,
    customerName: row.customer_name,
    relation: row.relation,
    comment: row.comment,
    status: row.status,
    createdAt: row.created_at,
    decidedAt: row.decided_at,
    decisionReason: row.decision_reason,
    linkedCustomers: approvedIdsOf(row).flatMap((id) => {
      const c = customers.get(id);
      return c ? [c] : [];
    }),
  };
}

export function queuedView(row: QueueRow, customers: ReadonlyMap<string, LinkedCustomerRef>, matches: Matches): QueuedRequest {
  return {
    ...requestView(row, customers),
    requester: { id: row.user_id, email: row.requester_email, name: row.requester_name },
    decidedBy: row.decided_by !== null && row.decider_email !== null ? { id: row.decided_by, email: row.decider_email } : null,
    matches,
  };
}

/** What the user asked for, as they wrote it: for mails. */
export const askedFor = (row: Pick<AccessRequestRow, 'customer_no' | 'customer_name'>): string => [row.customer_no, row.customer_name].filter((v) => v !== null).join(' · ');
