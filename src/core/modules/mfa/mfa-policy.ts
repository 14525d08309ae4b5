import type { UserRow } from '../../db/schema.js';

/**
 * Who must sign in with a second factor (SEC-22): operators now; dealer superusers join with
 * their issue (extend this function, nothing else). A user for whom it is true and who has no
 * confirmed second factor gets an enrolment-only session at sign-in.
 */
export function mfaRequired(user: Pick<UserRow, 'is_operator'>): boolean {
  return user.is_operator === 1;
}
