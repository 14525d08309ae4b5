// Account self-service: registration, forgot password, profile. Every answer is checked against
// the server's schema (response-check.ts); every failure is an ApiError with the server's code.
import type { Static } from '@sinclair/typebox';
import {
  LinkView, ProfileView, ResetLinkView,
  type Language as LanguageSchema, type PasswordChangeBody, type PasswordResetCompleteBody, type PasswordResetRequestBody, type ProfileUpdateBody, type RegistrationBody, type RegistrationCompleteBody,
} from '../../shared/api/accounts.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';
import { signedInSession, type Session } from './session-api.js';

export type Language = Static<typeof LanguageSchema>;
export type Profile = Static<typeof ProfileView>;

/** 202 whatever the address (the server never tells whether it has an account). */
export async function requestRegistration(client: ApiClient, input: Required<Static<typeof RegistrationBody>>): Promise<void> {
  await client.post('/api/registrations', input);
}

/** The e-mail an activation link is for; rejects with `token_invalid` (410) for a dead link. */
export async function inspectRegistration(client: ApiClient, token: string, options?: RequestOptions): Promise<Static<typeof LinkView>> {
  return checkResponse(LinkView, await client.post('/api/registrations/inspect', { token }, options), 'link');
}

/** Activates the account and signs it in: the new session, as sign-in returns it. */
export async function completeRegistration(client: ApiClient, input: Static<typeof RegistrationCompleteBody>): Promise<Session> {
  return signedInSession(await client.post('/api/registrations/complete', input));
}

/** 202 whatever the address. The mail goes out in the account's own language. */
export async function requestPasswordReset(client: ApiClient, input: Static<typeof PasswordResetRequestBody>): Promise<void> {
  await client.post('/api/password-resets', { email: input.email });
}

/** The account a reset link is for: its e-mail and name (the policy box checks against both). */
export async function inspectPasswordReset(client: ApiClient, token: string, options?: RequestOptions): Promise<Static<typeof ResetLinkView>> {
  return checkResponse(ResetLinkView, await client.post('/api/password-resets/inspect', { token }, options), 'reset link');
}

/** Sets the new password; every session of the account ends, nobody is signed in. */
export async function completePasswordReset(client: ApiClient, input: Static<typeof PasswordResetCompleteBody>): Promise<void> {
  await client.post('/api/password-resets/complete', input);
}

export async function getProfile(client: ApiClient, options?: RequestOptions): Promise<Profile> {
  return checkResponse(ProfileView, await client.get('/api/me', options), 'profile');
}

export async function updateProfile(client: ApiClient, input: Static<typeof ProfileUpdateBody>): Promise<Profile> {
  return checkResponse(ProfileView, await client.patch('/api/me', input), 'profile');
}

/** Rejects with `invalid_credentials` for a wrong current password, `password_rejected` for the policy. */
export async function changePassword(client: ApiClient, input: Static<typeof PasswordChangeBody>): Promise<void> {
  await client.put('/api/me/password', input);
}
