import type { PasswordProfile } from '../../shared/password-policy/index.js';
import { PasswordPolicyView } from '../../shared/api/settings.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

/** The active password policy profile (public: the policy box shows it before sign-in). */
export async function getPasswordProfile(client: ApiClient, options?: RequestOptions): Promise<PasswordProfile> {
  return checkResponse(PasswordPolicyView, await client.get('/api/settings/password-policy', options), 'password policy').profile;
}

/** Switches the profile (operators); answers the profile now in force. */
export async function setPasswordProfile(client: ApiClient, profile: PasswordProfile): Promise<PasswordProfile> {
  return checkResponse(PasswordPolicyView, await client.put('/api/settings/password-policy', { profile }), 'password policy').profile;
}
