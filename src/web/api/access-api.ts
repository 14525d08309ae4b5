// Superuser access (docs/superusers.md): a user's requests and the customer accounts they are
// superuser of, the operators' queue and decisions, and the links operators make directly.
import { ApiError, type ApiClient, type RequestOptions } from './client.js';
import { arrayOf, nullableStringOf, numberOf, objectOf, stringOf } from './parse.js';

export const relations = ['dealer', 'customer-admin'] as const;
export type Relation = (typeof relations)[number];
export const requestStatuses = ['open', 'approved', 'rejected', 'withdrawn'] as const;
export type RequestStatus = (typeof requestStatuses)[number];

export interface CustomerRef {
  id: string;
  customerNo: string;
  name: string;
}

export interface MatchedCustomer extends CustomerRef {
  deviceCount: number;
}

export interface AccessRequest {
  id: string;
  customerNo: string | null;
  customerName: string | null;
  relation: Relation;
  comment: string | null;
  status: RequestStatus;
  createdAt: string;
  decidedAt: string | null;
  decisionReason: string | null;
  /** The accounts an approval linked (empty otherwise). */
  linkedCustomers: CustomerRef[];
}

export interface QueuedRequest extends AccessRequest {
  requester: { id: string; email: string; name: string | null };
  decidedBy: { id: string; email: string } | null;
  matches: { byNumber: MatchedCustomer | null; byName: MatchedCustomer[] };
}

export interface LinkedCustomer extends CustomerRef {
  linkedAt: string;
}

export interface SuperuserLink {
  user: { id: string; email: string; name: string | null };
  customer: CustomerRef;
  linkedAt: string;
  linkedBy: { id: string; email: string } | null;
  requestId: string | null;
}

export interface RequestInput {
  customerNo: string | null;
  customerName: string | null;
  relation: Relation;
  comment: string | null;
}

export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

export const queuePageSize = 50;
export const linkPageSize = 50;

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  const text = stringOf(value, what);
  const known = allowed.find((entry) => entry === text);
  if (known === undefined) throw new ApiError({ status: 200, code: 'bad_response', message: `The server sent an unexpected answer (${what}).` });
  return known;
}

function parseCustomerRef(value: unknown): CustomerRef {
  const c = objectOf(value, 'customer account');
  return { id: stringOf(c['id'], 'customer id'), customerNo: stringOf(c['customerNo'], 'customer number'), name: stringOf(c['name'], 'customer name') };
}

function parseMatched(value: unknown): MatchedCustomer {
  const c = objectOf(value, 'matching customer account');
  return { ...parseCustomerRef(c), deviceCount: numberOf(c['deviceCount'], 'device count') };
}

export function parseAccessRequest(value: unknown): AccessRequest {
  const r = objectOf(value, 'access request');
  return {
    id: stringOf(r['id'], 'request id'),
    customerNo: nullableStringOf(r['customerNo'], 'customer number'),
    customerName: nullableStringOf(r['customerName'], 'customer name'),
    relation: oneOf(r['relation'], relations, 'relation'),
    comment: nullableStringOf(r['comment'], 'comment'),
    status: oneOf(r['status'], requestStatuses, 'status'),
    createdAt: stringOf(r['createdAt'], 'created at'),
    decidedAt: nullableStringOf(r['decidedAt'], 'decided at'),
    decisionReason: nullableStringOf(r['decisionReason'], 'reason'),
    linkedCustomers: arrayOf(r['linkedCustomers'], 'linked customer accounts', parseCustomerRef),
  };
}

function parseActor(value: unknown, what: string): { id: string; email: string } {
  const a = objectOf(value, what);
  return { id: stringOf(a['id'], `${what} id`), email: stringOf(a['email'], `${what} e-mail`) };
}

export function parseQueuedRequest(value: unknown): QueuedRequest {
  const r = objectOf(value, 'queued request');
  const requester = objectOf(r['requester'], 'requester');
  const matches = objectOf(r['matches'], 'matches');
  return {
    ...parseAccessRequest(r),
    requester: { ...parseActor(requester, 'requester'), name: nullableStringOf(requester['name'], 'requester name') },
    decidedBy: r['decidedBy'] === null || r['decidedBy'] === undefined ? null : parseActor(r['decidedBy'], 'decided by'),
    matches: {
      byNumber: matches['byNumber'] === null || matches['byNumber'] === undefined ? null : parseMatched(matches['byNumber']),
      byName: arrayOf(matches['byName'], 'matches by name', parseMatched),
    },
  };
}

function parseLinkedCustomer(value: unknown): LinkedCustomer {
  const c = objectOf(value, 'customer account');
  return { ...parseCustomerRef(c), linkedAt: stringOf(c['linkedAt'], 'linked at') };
}

export function parseSuperuserLink(value: unknown): SuperuserLink {
  const l = objectOf(value, 'superuser link');
  const user = objectOf(l['user'], 'user');
  return {
    user: { ...parseActor(user, 'user'), name: nullableStringOf(user['name'], 'user name') },
    customer: parseCustomerRef(l['customer']),
    linkedAt: stringOf(l['linkedAt'], 'linked at'),
    linkedBy: l['linkedBy'] === null || l['linkedBy'] === undefined ? null : parseActor(l['linkedBy'], 'linked by'),
    requestId: nullableStringOf(l['requestId'], 'request id'),
  };
}

function pageOf<T>(value: unknown, what: string, item: (entry: unknown) => T): Paged<T> {
  const body = objectOf(value, what);
  return { items: arrayOf(body['items'], what, item), nextCursor: nullableStringOf(body['nextCursor'], 'next cursor') };
}

const path = (id: string) => encodeURIComponent(id);

// The user's side.

/** Empty fields are left out (the server wants at least a number or a name). */
export async function createAccessRequest(client: ApiClient, input: RequestInput): Promise<AccessRequest> {
  const body: Record<string, string> = { relation: input.relation };
  if (input.customerNo !== null) body['customerNo'] = input.customerNo;
  if (input.customerName !== null) body['customerName'] = input.customerName;
  if (input.comment !== null) body['comment'] = input.comment;
  return parseAccessRequest(await client.post('/api/me/access-requests', body));
}

export async function listOwnRequests(client: ApiClient, options?: RequestOptions): Promise<AccessRequest[]> {
  const body = objectOf(await client.get('/api/me/access-requests', options), 'access requests');
  return arrayOf(body['items'], 'access requests', parseAccessRequest);
}

export async function withdrawRequest(client: ApiClient, id: string): Promise<AccessRequest> {
  return parseAccessRequest(await client.post(`/api/me/access-requests/${path(id)}/withdraw`, {}));
}

export async function listOwnCustomerAccounts(client: ApiClient, options?: RequestOptions): Promise<LinkedCustomer[]> {
  const body = objectOf(await client.get('/api/me/customer-accounts', options), 'customer accounts');
  return arrayOf(body['items'], 'customer accounts', parseLinkedCustomer);
}

// The operators' queue.

export async function listQueue(client: ApiClient, input: { status: RequestStatus; cursor: string | null }, options?: RequestOptions): Promise<Paged<QueuedRequest>> {
  const query = new URLSearchParams({ status: input.status, limit: String(queuePageSize) });
  if (input.cursor !== null) query.set('cursor', input.cursor);
  return pageOf(await client.get(`/api/access-requests?${query.toString()}`, options), 'access requests', parseQueuedRequest);
}

export async function getQueuedRequest(client: ApiClient, id: string, options?: RequestOptions): Promise<QueuedRequest> {
  return parseQueuedRequest(await client.get(`/api/access-requests/${path(id)}`, options));
}

export async function approveRequest(client: ApiClient, id: string, input: { customerIds: string[]; note: string | null }): Promise<QueuedRequest> {
  const body: { customerIds: string[]; note?: string } = { customerIds: input.customerIds };
  if (input.note !== null) body.note = input.note;
  return parseQueuedRequest(await client.post(`/api/access-requests/${path(id)}/approve`, body));
}

export async function rejectRequest(client: ApiClient, id: string, reason: string): Promise<QueuedRequest> {
  return parseQueuedRequest(await client.post(`/api/access-requests/${path(id)}/reject`, { reason }));
}

// Links.

export async function listSuperuserLinks(client: ApiClient, input: { customerId?: string | null; userId?: string | null; cursor: string | null }, options?: RequestOptions): Promise<Paged<SuperuserLink>> {
  const query = new URLSearchParams({ limit: String(linkPageSize) });
  if (input.customerId) query.set('customerId', input.customerId);
  if (input.userId) query.set('userId', input.userId);
  if (input.cursor !== null) query.set('cursor', input.cursor);
  return pageOf(await client.get(`/api/superuser-links?${query.toString()}`, options), 'superuser links', parseSuperuserLink);
}

export async function createSuperuserLink(client: ApiClient, input: { email: string; customerId: string }): Promise<SuperuserLink> {
  return parseSuperuserLink(await client.post('/api/superuser-links', input));
}

export async function deleteSuperuserLink(client: ApiClient, link: { customerId: string; userId: string }): Promise<void> {
  await client.delete(`/api/superuser-links/${path(link.customerId)}/${path(link.userId)}`);
}
