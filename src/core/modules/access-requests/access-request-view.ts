import type { AccessRequestRow } from '../../db/schema.js';
import type { Matches } from './customer-matches-repo.js';
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

/** The customer account ids of several requests' approvals, each once. */
export function approvedIdsOfAll(rows: ReadonlyArray<Pick<AccessRequestRow, 'approved_customer_ids'>>): string[] {
  return [...new Set(rows.flatMap(approvedIdsOf))];
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
