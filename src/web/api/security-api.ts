// The signed-in user's sessions and two-factor sign-in (profile, /mfa/setup).
import type { Static } from '@sinclair/typebox';
import { SessionListView, type SessionSummaryView } from '../../shared/api/auth.js';
import { ConfirmView, EnrolmentView, MfaStatusView, type DisableBody, type EnrolBody } from '../../shared/api/mfa.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

/** One of the user's sessions; stage `mfa`: someone entered the password and the second factor is still due. */
export type SessionSummary = Static<typeof SessionSummaryView>;
export type MfaStatus = Static<typeof MfaStatusView>;
export type TotpEnrolment = Static<typeof EnrolmentView>;

export async function listSessions(client: ApiClient, options?: RequestOptions): Promise<SessionSummary[]> {
  return checkResponse(SessionListView, await client.get('/api/sessions', options), 'sessions').sessions;
}

export async function endSession(client: ApiClient, id: string): Promise<void> {
  await client.delete(`/api/sessions/${encodeURIComponent(id)}`);
}

export async function getMfaStatus(client: ApiClient, options?: RequestOptions): Promise<MfaStatus> {
  return checkResponse(MfaStatusView, await client.get('/api/me/mfa', options), 'two-factor status');
}

/** A new secret to scan; a signed-in session sends the password (step-up), an enrolment-only one need not. */
export async function beginTotpEnrolment(client: ApiClient, input: Static<typeof EnrolBody>): Promise<TotpEnrolment> {
  return checkResponse(EnrolmentView, await client.post('/api/me/mfa/totp', input), 'enrolment');
}

/** Confirms with a code: the recovery codes (shown once) and the replaced session's CSRF token. */
export async function confirmTotpEnrolment(client: ApiClient, code: string): Promise<Static<typeof ConfirmView>> {
  return checkResponse(ConfirmView, await client.post('/api/me/mfa/totp/confirm', { code }), 'confirmation');
}

export async function disableTotp(client: ApiClient, input: Static<typeof DisableBody>): Promise<void> {
  await client.delete('/api/me/mfa/totp', undefined, input);
}
