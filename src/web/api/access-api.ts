// Superuser access (docs/superusers.md): a user's requests and the customer accounts they are
// superuser of, the operators' queue and decisions, and the links operators make directly.
import type { Static } from '@sinclair/typebox';
import type { Relation, RequestStatus } from '../../shared/access-requests/access-request-fields.js';
import {
  AccessRequestView, LinkedCustomersView, OwnRequestsView, QueuedRequestView, QueuePageView,
  type AccessRequestBody, type ApproveBody, type CustomerRef as CustomerRefView, type LinkedCustomerView, type MatchedCustomer as MatchedCustomerView,
} from '../../shared/api/access-requests.js';
import { LinkPageView, SuperuserLinkView, type LinkBody } from '../../shared/api/superusers.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

export { relations, requestStatuses, type Relation, type RequestStatus } from '../../shared/access-requests/access-request-fields.js';

export type CustomerRef = Static<typeof CustomerRefView>;
export type MatchedCustomer = Static<typeof MatchedCustomerView>;
export type AccessRequest = Static<typeof AccessRequestView>;
export type QueuedRequest = Static<typeof QueuedRequestView>;
export type LinkedCustomer = Static<typeof LinkedCustomerView>;
export type SuperuserLink = Static<typeof SuperuserLinkView>;
export interface Paged<T> {
  items: T[];
  nextCursor: string | null;
}

/** The request form's values: null for a field left empty. */
export interface RequestInput {
  customerNo: string | null;
  customerName: string | null;
  relation: Relation;
  comment: string | null;
}

export const queuePageSize = 50;
export const linkPageSize = 50;

const path = (id: string) => encodeURIComponent(id);

// The user's side.

/** Empty fields are left out (the server wants at least a number or a name). */
export async function createAccessRequest(client: ApiClient, input: RequestInput): Promise<AccessRequest> {
  const body: Static<typeof AccessRequestBody> = { relation: input.relation };
  if (input.customerNo !== null) body.customerNo = input.customerNo;
  if (input.customerName !== null) body.customerName = input.customerName;
  if (input.comment !== null) body.comment = input.comment;
  return checkResponse(AccessRequestView, await client.post('/api/me/access-requests', body), 'access request');
}

export async function listOwnRequests(client: ApiClient, options?: RequestOptions): Promise<AccessRequest[]> {
  return checkResponse(OwnRequestsView, await client.get('/api/me/access-requests', options), 'access requests').items;
}

export async function withdrawRequest(client: ApiClient, id: string): Promise<AccessRequest> {
  return checkResponse(AccessRequestView, await client.post(`/api/me/access-requests/${path(id)}/withdraw`, {}), 'access request');
}

export async function listOwnCustomerAccounts(client: ApiClient, options?: RequestOptions): Promise<LinkedCustomer[]> {
  return checkResponse(LinkedCustomersView, await client.get('/api/me/customer-accounts', options), 'customer accounts').items;
}

// The operators' queue.

export async function listQueue(client: ApiClient, input: { status: RequestStatus; cursor: string | null }, options?: RequestOptions): Promise<Paged<QueuedRequest>> {
  const query = new URLSearchParams({ status: input.status, limit: String(queuePageSize) });
  if (input.cursor !== null) query.set('cursor', input.cursor);
  return checkResponse(QueuePageView, await client.get(`/api/access-requests?${query.toString()}`, options), 'access requests');
}

export async function getQueuedRequest(client: ApiClient, id: string, options?: RequestOptions): Promise<QueuedRequest> {
  return checkResponse(QueuedRequestView, await client.get(`/api/access-requests/${path(id)}`, options), 'queued request');
}

export async function approveRequest(client: ApiClient, id: string, input: { customerIds: string[]; note: string | null }): Promise<QueuedRequest> {
  const body: Static<typeof ApproveBody> = { customerIds: input.customerIds };
  if (input.note !== null) body.note = input.note;
  return checkResponse(QueuedRequestView, await client.post(`/api/access-requests/${path(id)}/approve`, body), 'queued request');
}

export async function rejectRequest(client: ApiClient, id: string, reason: string): Promise<QueuedRequest> {
  return checkResponse(QueuedRequestView, await client.post(`/api/access-requests/${path(id)}/reject`, { reason }), 'queued request');
}

// Links.

export async function listSuperuserLinks(client: ApiClient, input: { customerId?: string | null; userId?: string | null; cursor: string | null }, options?: RequestOptions): Promise<Paged<SuperuserLink>> {
  const query = new URLSearchParams({ limit: String(linkPageSize) });
  if (input.customerId) query.set('customerId', input.customerId);
  if (input.userId) query.set('userId', input.userId);
  if (input.cursor !== null) query.set('cursor', input.cursor);
  return checkResponse(LinkPageView, await client.get(`/api/superuser-links?${query.toString()}`, options), 'superuser links');
}

export async function createSuperuserLink(client: ApiClient, input: Static<typeof LinkBody>): Promise<SuperuserLink> {
  return checkResponse(SuperuserLinkView, await client.post('/api/superuser-links', input), 'superuser link');
}

export async function deleteSuperuserLink(client: ApiClient, link: { customerId: string; userId: string }): Promise<void> {
  await client.delete(`/api/superuser-links/${path(link.customerId)}/${path(link.userId)}`);
}
