import { AppError, type FieldProblem } from '../errors.js';
import { CONTROL, CONTROL_BUT_LINES, CUSTOMER_NO, MAX_NAME } from '../inventory/customer-fields.js';

// What a user may write into a superuser request (docs/superusers.md), checked after trimming.

export const relations = ['dealer', 'customer-admin'] as const;
export type Relation = (typeof relations)[number];
/** open → approved, rejected or withdrawn; a decided request never changes again. */
export const requestStatuses = ['open', 'approved', 'rejected', 'withdrawn'] as const;
export type RequestStatus = (typeof requestStatuses)[number];

export const MAX_COMMENT = 2000;
export const MAX_REASON = 2000;

const lengthOf = (value: string) => [...value].length;

export interface RequestInput {
  customerNo?: string | undefined;
  customerName?: string | undefined;
  relation: Relation;
  comment?: string | undefined;
}

export interface RequestFields {
  customerNo: string | null;
  customerName: string | null;
  relation: Relation;
  comment: string | null;
  /** The key of "one open request per user and customer account". */
  subject: string;
}

/** Lower case, blanks collapsed: "Stadtwerke  Musterstadt " and "stadtwerke musterstadt" are one subject. */
const nameKey = (name: string) => name.toLowerCase().replace(/\s+/g, ' ');

export function subjectOf(fields: { customerNo: string | null; customerName: string | null }): string {
  return fields.customerNo !== null ? `no:${fields.customerNo.toLowerCase()}` : `name:${nameKey(fields.customerName ?? '')}`;
}

/** Trimmed and checked; every problem named by its field. */
export function requestFields(input: RequestInput): RequestFields {
  const customerNo = input.customerNo?.trim() || null;
  const customerName = input.customerName?.trim() || null;
  const comment = input.comment?.trim() || null;
  const problems: FieldProblem[] = [];
  if (customerNo === null && customerName === null) {
    problems.push({ field: 'customerNo', reason: 'give the customer number, the customer name or both' });
  }
  if (customerNo !== null && !CUSTOMER_NO.test(customerNo)) problems.push({ field: 'customerNo', reason: 'a customer number is 1 to 32 letters, digits, "-", "_", "." or "/"' });
  if (customerName !== null) {
    if (lengthOf(customerName) > MAX_NAME) problems.push({ field: 'customerName', reason: `a name is at most ${MAX_NAME} characters` });
    else if (CONTROL.test(customerName)) problems.push({ field: 'customerName', reason: 'must not contain control characters' });
  }
  if (comment !== null) {
    if (lengthOf(comment) > MAX_COMMENT) problems.push({ field: 'comment', reason: `a comment is at most ${MAX_COMMENT} characters` });
    else if (CONTROL_BUT_LINES.test(comment)) problems.push({ field: 'comment', reason: 'must not contain control characters' });
  }
  const first = problems[0];
  if (first) throw new AppError('validation_failed', `${first.field}: ${first.reason}.`, { details: problems });
  return { customerNo, customerName, relation: input.relation, comment, subject: subjectOf({ customerNo, customerName }) };
}

/** A rejection's reason: required, bounded. */
export function reasonText(reason: string): string {
  const text = reason.trim();
  if (text === '' || lengthOf(text) > MAX_REASON) {
    throw new AppError('validation_failed', `reason: a reason is 1 to ${MAX_REASON} characters.`, { details: [{ field: 'reason', reason: `1 to ${MAX_REASON} characters` }] });
  }
  if (CONTROL_BUT_LINES.test(text)) throw new AppError('validation_failed', 'reason: must not contain control characters.', { details: [{ field: 'reason', reason: 'must not contain control characters' }] });
  return text;
}
