// Checks the account forms make before they send anything, with the server's own bounds
// (src/core/modules/accounts/accounts-schemas.ts), so most mistakes are named at once and in the
// user's language; the server checks again. Server-side problems are mapped back to fields here.
import type { TFunction } from 'i18next';
import type { FieldProblem } from '../api/client.js';
import { reasonText } from './setup-reasons.js';

export const emailMaxLength = 254;
export const nameMaxLength = 200;
// One address: something@something.something, no spaces (the server's check is stricter).
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// Control characters (C0, DEL, C1) and line or paragraph separators: never in a name.
const forbiddenInName = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function emailProblem(t: TFunction, value: string): string | undefined {
  const email = value.trim();
  if (email === '') return t('account.emailRequired');
  if (email.length > emailMaxLength || !emailPattern.test(email)) return t('account.emailInvalid');
  return undefined;
}

export function nameProblem(t: TFunction, value: string): string | undefined {
  if ([...value].length > nameMaxLength || forbiddenInName.test(value)) return t('account.nameInvalid');
  return undefined;
}

/** A problem the server named, in the user's language: password rules by id, fields by name. */
export function problemText(t: TFunction, problem: FieldProblem): string {
  switch (problem.field) {
    case 'email':
      return t('account.emailInvalid');
    case 'name':
      return t('account.nameInvalid');
    case 'password':
    case 'newPassword':
      return reasonText(t, problem);
    default:
      return reasonText(t, problem);
  }
}
