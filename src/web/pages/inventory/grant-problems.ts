// What the "Assign read rights" dialog says about a refusal, and where (docs/grants.md): the
// field the server named in `details[0].field` decides where the message stands, the code what
// it says, so the dialog and the API always agree. Unknown refusals fall back to the error text.
import { isApiError } from '../../api/client.js';

export type AssignProblem =
  | { at: 'email'; key: 'emailRequired' | 'emailInvalid' | 'emailSelf' | 'emailOperator' }
  | { at: 'email'; code: 'reader_disabled' }
  | { at: 'selection'; key: 'selectionEmpty' }
  | { at: 'selection'; changedTo: number }
  | { at: 'form'; error: unknown };

// One address: something@something.something, no spaces (the server's check is stricter).
const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Checked before sending, so a typo is named at once and nothing goes to the server. */
export function emailProblem(value: string): AssignProblem | null {
  const email = value.trim();
  if (email === '') return { at: 'email', key: 'emailRequired' };
  if (email.length > 254 || !emailPattern.test(email)) return { at: 'email', key: 'emailInvalid' };
  return null;
}

/** The server's refusal as the dialog shows it. */
export function assignProblem(error: unknown): AssignProblem {
  if (!isApiError(error)) return { at: 'form', error };
  const detail = error.details[0];
  const field = detail?.field.replace(/^\//, '').replace(/\//g, '.') ?? '';
  if (error.code === 'selection_changed' && typeof detail?.count === 'number') return { at: 'selection', changedTo: detail.count };
  if (error.code === 'reader_disabled') return { at: 'email', code: 'reader_disabled' };
  if (error.code === 'validation_failed' && detail !== undefined) {
    if (field === 'email') {
      if (/^self$|yourself|oneself|own address/i.test(detail.reason)) return { at: 'email', key: 'emailSelf' };
      if (/operator/i.test(detail.reason)) return { at: 'email', key: 'emailOperator' };
      return { at: 'email', key: 'emailInvalid' };
    }
    if (field === 'selection' || field.startsWith('selection.')) return { at: 'selection', key: 'selectionEmpty' };
  }
  return { at: 'form', error };
}
