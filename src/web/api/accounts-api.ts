// Account self-service: registration, forgot password, profile. Every answer is checked by the
// guards of parse.ts; every failure is an ApiError with the server's code.
import type { ApiClient, RequestOptions } from './client.js';
import { arrayOf, nullableStringOf, objectOf, stringOf } from './parse.js';
import { parseSession, type Session } from './session-api.js';

export type Language = 'de' | 'en';

export interface Profile {
  id: string;
  email: string;
  name: string | null;
  language: Language;
  roles: string[];
}

function parseLinkEmail(value: unknown): { email: string } {
  return { email: stringOf(objectOf(value, 'link')['email'], 'link e-mail') };
}

function parseProfile(value: unknown): Profile {
  const body = objectOf(value, 'profile');
  const language = stringOf(body['language'], 'profile language');
  return {
    id: stringOf(body['id'], 'profile id'),
    email: stringOf(body['email'], 'profile e-mail'),
    name: nullableStringOf(body['name'], 'profile name'),
    language: language === 'de' ? 'de' : 'en',
    roles: arrayOf(body['roles'], 'profile roles', (role) => stringOf(role, 'profile role')),
  };
}

/** 202 whatever the address (the server never tells whether it has an account). */
export async function requestRegistration(client: ApiClient, input: { email: string; language: Language }): Promise<void> {
  await client.post('/api/registrations', input);
}

/** The e-mail an activation link is for; rejects with `token_invalid` (410) for a dead link. */
export async function inspectRegistration(client: ApiClient, token: string, options?: RequestOptions): Promise<{ email: string }> {
  return parseLinkEmail(await client.post('/api/registrations/inspect', { token }, options));
}

/** Activates the account and signs it in: the new session, as sign-in returns it. */
export async function completeRegistration(client: ApiClient, input: { token: string; password: string; name?: string }): Promise<Session> {
  return parseSession(await client.post('/api/registrations/complete', input));
}

/** 202 whatever the address. The mail goes out in the account's own language. */
export async function requestPasswordReset(client: ApiClient, input: { email: string }): Promise<void> {
  await client.post('/api/password-resets', { email: input.email });
}

/** The account a reset link is for: its e-mail and name (the policy box checks against both). */
export async function inspectPasswordReset(client: ApiClient, token: string, options?: RequestOptions): Promise<{ email: string; name: string | null }> {
  const body = objectOf(await client.post('/api/password-resets/inspect', { token }, options), 'reset link');
  return { email: stringOf(body['email'], 'link e-mail'), name: nullableStringOf(body['name'], 'link name') };
}

/** Sets the new password; every session of the account ends, nobody is signed in. */
export async function completePasswordReset(client: ApiClient, input: { token: string; password: string }): Promise<void> {
  await client.post('/api/password-resets/complete', input);
}

export async function getProfile(client: ApiClient, options?: RequestOptions): Promise<Profile> {
  return parseProfile(await client.get('/api/me', options));
}

export async function updateProfile(client: ApiClient, input: { name?: string | null; language?: Language }): Promise<Profile> {
  return parseProfile(await client.patch('/api/me', input));
}

/** Rejects with `invalid_credentials` for a wrong current password, `password_rejected` for the policy. */
export async function changePassword(client: ApiClient, input: { currentPassword: string; newPassword: string }): Promise<void> {
  await client.put('/api/me/password', input);
}
