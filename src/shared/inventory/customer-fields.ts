import type { FieldProblem } from '../errors.js';

// The shape rules of a customer account (docs/inventory.md), checked after trimming, so the API,
// the CLI and the demo seed accept exactly the same values.

export const CUSTOMER_NO = /^[A-Za-z0-9._/-]{1,32}$/;
export const MAX_NAME = 200;
export const MAX_NOTES = 2000;
export const MAX_EMAIL = 254;
// Plausible, not RFC 5322: one address, something before and after the @, a domain with a dot
// that neither starts nor ends it, and nothing that could make it a list or a display name.
const EMAIL = /^[^\s@,;:<>()[\]\\"]+@[^\s@,;:<>()[\]\\"]+$/;
const isPlausibleEmail = (value: string): boolean => {
  if (!EMAIL.test(value)) return false;
  const domain = value.slice(value.indexOf('@') + 1);
  return domain.includes('.') && !domain.startsWith('.') && !domain.endsWith('.') && !domain.includes('..');
};
// Line breaks and tabs belong in notes; other control characters (and NUL, which PostgreSQL
// refuses in text) belong nowhere.
export const CONTROL = /[\u0000-\u001f\u007f]/;
export const CONTROL_BUT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export interface CustomerFields {
  customerNo: string;
  name: string;
  contactEmail: string | null;
  notes: string | null;
}

export interface CustomerInput {
  customerNo?: string | undefined;
  name?: string | undefined;
  contactEmail?: string | null | undefined;
  notes?: string | null | undefined;
}

/** Characters as people count them (code points), as the schema's maxLength does. */
const lengthOf = (value: string) => [...value].length;

/** Trimmed; an empty optional field is null. Fields absent from the input stay absent. */
export function normalizeCustomerInput(input: CustomerInput): Partial<CustomerFields> {
  const out: Partial<CustomerFields> = {};
  if (input.customerNo !== undefined) out.customerNo = input.customerNo.trim();
  if (input.name !== undefined) out.name = input.name.trim();
  if (input.contactEmail !== undefined) out.contactEmail = input.contactEmail?.trim() || null;
  if (input.notes !== undefined) out.notes = input.notes?.trim() || null;
  return out;
}

/** Every problem of the given (normalised) fields; none when they are acceptable. */
export function customerFieldProblems(fields: Partial<CustomerFields>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (fields.customerNo !== undefined && !CUSTOMER_NO.test(fields.customerNo)) {
    problems.push({ field: 'customerNo', reason: 'a customer number is 1 to 32 letters, digits, "-", "_", "." or "/"' });
  }
  if (fields.name !== undefined) {
    if (fields.name === '' || lengthOf(fields.name) > MAX_NAME) problems.push({ field: 'name', reason: `a name is 1 to ${MAX_NAME} characters` });
    else if (CONTROL.test(fields.name)) problems.push({ field: 'name', reason: 'must not contain control characters' });
  }
  if (fields.contactEmail != null && (lengthOf(fields.contactEmail) > MAX_EMAIL || !isPlausibleEmail(fields.contactEmail))) {
    problems.push({ field: 'contactEmail', reason: 'is not a valid e-mail address' });
  }
  if (fields.notes != null) {
    if (lengthOf(fields.notes) > MAX_NOTES) problems.push({ field: 'notes', reason: `notes are at most ${MAX_NOTES} characters` });
    else if (CONTROL_BUT_LINES.test(fields.notes)) problems.push({ field: 'notes', reason: 'must not contain control characters' });
  }
  return problems;
}
