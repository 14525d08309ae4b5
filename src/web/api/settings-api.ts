import type { PasswordProfile } from '../../shared/password-policy/index.js';
import { ApiError, type ApiClient, type RequestOptions } from './client.js';
import { objectOf } from './parse.js';

function profileOf(value: unknown): PasswordProfile {
  const profile = objectOf(value, 'password policy')['profile'];
  if (profile !== 'guide' && profile !== 'nist') {
    throw new ApiError({ status: 200, code: 'bad_response', message: 'The server sent an unexpected answer (password policy).' });
  }
  return profile;
}

/** The active password policy profile (public: the policy box shows it before sign-in). */
export async function getPasswordProfile(client: ApiClient, options?: RequestOptions): Promise<PasswordProfile> {
  return profileOf(await client.get('/api/settings/password-policy', options));
}

/** Switches the profile (operators); answers the profile now in force. */
export async function setPasswordProfile(client: ApiClient, profile: PasswordProfile): Promise<PasswordProfile> {
  return profileOf(await client.put('/api/settings/password-policy', { profile }));
}
