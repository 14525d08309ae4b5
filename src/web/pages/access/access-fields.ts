// The pure parts of the superuser access pages (docs/superusers.md): a request's fields checked
// with the server's bounds, the server's field problems mapped to the form, what a request asks
// for in one line, how long it has waited, and the accounts an operator may choose on approval.
import { isApiError } from '../../api/client.js';
import type { CustomerRef, MatchedCustomer, QueuedRequest, Relation, RequestInput } from '../../api/access-api.js';
import { characterCount } from '../../components/format.js';
// The server's own rules (pure modules), so the form and the API cannot drift apart.
import { MAX_COMMENT, MAX_REASON } from '../../../shared/access-requests/access-request-fields.js';
import { CONTROL as control, CONTROL_BUT_LINES as controlButLines, CUSTOMER_NO as customerNoPattern, MAX_NAME } from '../../../shared/inventory/customer-fields.js';
import { textProblemOf, textProblemReasons } from '../../../shared/text/text-rule.js';

export const nameMaxLength = MAX_NAME;
export const commentMaxLength = MAX_COMMENT;
export const reasonMaxLength = MAX_REASON;

export type RequestField = 'customerNo' | 'customerName' | 'relation' | 'comment';
export type RequestProblem = 'customerRequired' | 'customerNoInvalid' | 'nameTooLong' | 'nameInvalid' | 'relationRequired' | 'commentTooLong' | 'commentInvalid';
export type RequestProblems = Partial<Record<RequestField, RequestProblem>>;

export interface RequestValues {
  customerNo: string;
  customerName: string;
  relation: Relation | null;
  comment: string;
}

/** Trimmed; empty optional fields become null. */
export function requestInput(values: RequestValues & { relation: Relation }): RequestInput {
  const text = (value: string) => (value.trim() === '' ? null : value.trim());
  return { customerNo: text(values.customerNo), customerName: text(values.customerName), relation: values.relation, comment: text(values.comment) };
}

/** What the form can tell before sending; the server checks again. */
export function requestProblems(values: RequestValues): RequestProblems {
  const problems: RequestProblems = {};
  const customerNo = values.customerNo.trim();
  const customerName = values.customerName.trim();
  const comment = values.comment.trim();
  if (customerNo === '' && customerName === '') problems.customerNo = 'customerRequired';
  else if (customerNo !== '' && !customerNoPattern.test(customerNo)) problems.customerNo = 'customerNoInvalid';
  if (characterCount(customerName) > nameMaxLength) problems.customerName = 'nameTooLong';
  else if (control.test(customerName) || textProblemOf(customerName)) problems.customerName = 'nameInvalid';
  if (values.relation === null) problems.relation = 'relationRequired';
  if (characterCount(comment) > commentMaxLength) problems.comment = 'commentTooLong';
  else if (controlButLines.test(comment) || textProblemOf(comment)) problems.comment = 'commentInvalid';
  return problems;
}

/** The fields a `validation_failed` answer names in its details (`customerNo`, `body.comment`, …). */
export function serverRequestProblems(error: unknown): RequestProblems {
  if (!isApiError(error) || error.code !== 'validation_failed') return {};
  const problems: RequestProblems = {};
  for (const detail of error.details) {
    const field = detail.field.split(/[./]/).pop();
    const reason = detail.reason;
    // A control character, or a character the shared text rule refuses (a bidi control, a lone surrogate).
    const invalid = /control/.test(reason) || Object.values(textProblemReasons).includes(reason);
    if (field === 'customerNo') problems.customerNo = /or both|required/.test(reason) ? 'customerRequired' : 'customerNoInvalid';
    if (field === 'customerName') problems.customerName = invalid ? 'nameInvalid' : 'nameTooLong';
    if (field === 'relation') problems.relation = 'relationRequired';
    if (field === 'comment') problems.comment = invalid ? 'commentInvalid' : 'commentTooLong';
  }
  return problems;
}

/** What a request asks for, as the user wrote it: "4711 · Stadtwerke Musterstadt"; null when neither is given. */
export function askedFor(request: { customerNo: string | null; customerName: string | null }): string | null {
  const parts = [request.customerNo, request.customerName].filter((part): part is string => part !== null && part !== '');
  return parts.length === 0 ? null : parts.join(' · ');
}

export type Waited = { unit: 'minute' | 'hour' | 'day'; count: number } | null;

/** How long a request has waited, in whole minutes, hours or days; null under a minute (or a clock behind). */
export function waitedFor(createdAt: string, now: Date): Waited {
  const since = new Date(createdAt).getTime();
  if (Number.isNaN(since)) return null;
  const minutes = Math.floor((now.getTime() - since) / 60_000);
  if (minutes < 1) return null;
  if (minutes < 60) return { unit: 'minute', count: minutes };
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return { unit: 'hour', count: hours };
  return { unit: 'day', count: Math.floor(hours / 24) };
}

/** A request's match state for the queue: the account its number names, none although a number was given, or no number asked for. */
export function numberMatch(request: Pick<QueuedRequest, 'customerNo' | 'matches'>): { kind: 'matched'; customer: MatchedCustomer } | { kind: 'unmatched' } | { kind: 'noNumber' } {
  if (request.matches.byNumber !== null) return { kind: 'matched', customer: request.matches.byNumber };
  return request.customerNo === null ? { kind: 'noNumber' } : { kind: 'unmatched' };
}

/**
 * The accounts an operator is offered on approval: the number's match first, then the name's,
 * then those found by searching, each once. `deviceCount` is known for matches only.
 */
export function approvalCandidates(matches: QueuedRequest['matches'], added: readonly CustomerRef[]): Array<{ customer: CustomerRef & { deviceCount?: number }; source: 'number' | 'name' | 'search' }> {
  const seen = new Set<string>();
  const out: Array<{ customer: CustomerRef & { deviceCount?: number }; source: 'number' | 'name' | 'search' }> = [];
  const push = (customer: CustomerRef & { deviceCount?: number }, source: 'number' | 'name' | 'search') => {
    if (seen.has(customer.id)) return;
    seen.add(customer.id);
    out.push({ customer, source });
  };
  if (matches.byNumber !== null) push(matches.byNumber, 'number');
  for (const customer of matches.byName) push(customer, 'name');
  for (const customer of added) push(customer, 'search');
  return out;
}

/** Pre-checked on approval: the account the number names, if any. */
export function initialSelection(matches: QueuedRequest['matches']): string[] {
  return matches.byNumber === null ? [] : [matches.byNumber.id];
}

/** The selection in the order the accounts are offered (the server links them and the mail lists them in this order). */
export function orderedSelection(candidates: ReadonlyArray<{ customer: { id: string } }>, selected: ReadonlySet<string>): string[] {
  return candidates.map((c) => c.customer.id).filter((id) => selected.has(id));
}

export type LinkProblem = 'emailRequired' | 'emailInvalid' | 'emailUnknown' | 'emailOperator' | 'customerRequired' | 'customerUnknown';
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function linkProblems(values: { email: string; customerId: string | null }): { email?: LinkProblem; customer?: LinkProblem } {
  const problems: { email?: LinkProblem; customer?: LinkProblem } = {};
  const email = values.email.trim();
  if (email === '') problems.email = 'emailRequired';
  else if (!emailPattern.test(email)) problems.email = 'emailInvalid';
  if (values.customerId === null) problems.customer = 'customerRequired';
  return problems;
}

/** The server's reasons for refusing a link, at their fields. */
export function serverLinkProblems(error: unknown): { email?: LinkProblem; customer?: LinkProblem } {
  if (!isApiError(error) || error.code !== 'validation_failed') return {};
  const problems: { email?: LinkProblem; customer?: LinkProblem } = {};
  for (const detail of error.details) {
    const field = detail.field.split(/[./]/).pop();
    if (field === 'email') problems.email = /operator/.test(detail.reason) ? 'emailOperator' : /no such/.test(detail.reason) ? 'emailUnknown' : 'emailInvalid';
    if (field === 'customerId') problems.customer = 'customerUnknown';
  }
  return problems;
}
