import type { UserRow } from '../db/schema.js';
import type { PersonPrincipal } from './principal.js';

// How long sessions live, and who must sign in with a second factor: the rules that the session
// service, the auth hook and the cookie all follow.

export const sessionIdleMs = 30 * 60_000;
export const sessionAbsoluteMs = 12 * 3600_000;
/** A session waiting for its second factor or for an enrolment is short-lived. */
export const pendingSessionMs = 15 * 60_000;

/**
 * Who must sign in with a second factor (SEC-22): operators, and superusers (dealers or a
 * customer's own administrator linked to customer accounts, docs/superusers.md). A user for whom
 * it is true and who has no confirmed second factor gets an enrolment-only session at sign-in.
 */
export function mfaRequired(user: Pick<UserRow, 'is_operator'>, links: { superuser: boolean }): boolean {
  return user.is_operator === 1 || links.superuser;
}

/** How recent a sign-in must be for a step-up action (SEC-25): downloads, second-factor changes. */
const stepUpMs = 5 * 60_000;

/** Whether a signed-in session must prove its password (and code) again before a step-up action. */
export function stepUpDue(principal: Pick<PersonPrincipal, 'authenticatedAt'>, now: Date): boolean {
  return principal.authenticatedAt === null || now.getTime() - Date.parse(principal.authenticatedAt) > stepUpMs;
}
