import type { FieldProblem } from '../../../lib/errors.js';

// The operators' password rules until the full policy of the accounts issue arrives: long
// (operators hold every key), at most 128 characters, never truncated, any Unicode, and not the
// e-mail's local part. Returns every rule that failed so the page can name them all.
export const operatorPasswordMinLength = 12;
export const passwordMaxLength = 128;

export function checkOperatorPassword(password: string, email: string): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const length = [...password].length;
  if (length < operatorPasswordMinLength) problems.push({ field: 'password', reason: `at least ${operatorPasswordMinLength} characters` });
  if (length > passwordMaxLength) problems.push({ field: 'password', reason: `at most ${passwordMaxLength} characters` });
  const local = (email.split('@')[0] ?? '').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  const plain = password.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  if (local.length >= 3 && plain.includes(local)) problems.push({ field: 'password', reason: 'must not contain the e-mail address' });
  return problems;
}
