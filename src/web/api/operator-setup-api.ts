import type { ApiClient, RequestOptions } from './client.js';
import { nullableStringOf, objectOf } from './parse.js';

/**
 * Which account a setup link belongs to: its e-mail, or null for the bootstrap link of the first
 * operator (the page then asks for the e-mail). Rejects with `token_invalid` (410) for a dead link.
 */
export async function inspectOperatorSetup(client: ApiClient, token: string, options?: RequestOptions): Promise<{ email: string | null }> {
  const body = objectOf(await client.post('/api/operator-setup/inspect', { token }, options), 'setup link');
  return { email: nullableStringOf(body['email'], 'setup e-mail') };
}

/** Sets the operator's first password; rejects with `password_rejected` (400, with details). */
export async function completeOperatorSetup(client: ApiClient, input: { token: string; password: string; name?: string; email?: string }): Promise<void> {
  await client.post('/api/operator-setup', input);
}
