import type { UserRow } from '../../db/schema.js';

/**
 * Who must sign in with a second factor (SEC-22): operators, and superusers (dealers or a
 * customer's own administrator linked to customer accounts, docs/superusers.md). A user for whom
 * it is true and who has no confirmed second factor gets an enrolment-only session at sign-in.
 */
export function mfaRequired(user: Pick<UserRow, 'is_operator'>, links: { superuser: boolean }): boolean {
  return user.is_operator === 1 || links.superuser;
}
