import type { Static } from '@sinclair/typebox';
import { SetupInspectView, type SetupCompleteBody } from '../../shared/api/auth.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

/**
 * Which account a setup link belongs to: its e-mail, or null for the bootstrap link of the first
 * operator (the page then asks for the e-mail). Rejects with `token_invalid` (410) for a dead link.
 */
export async function inspectOperatorSetup(client: ApiClient, token: string, options?: RequestOptions): Promise<Static<typeof SetupInspectView>> {
  return checkResponse(SetupInspectView, await client.post('/api/operator-setup/inspect', { token }, options), 'setup link');
}

/** Sets the operator's first password; rejects with `password_rejected` (400, with details). */
export async function completeOperatorSetup(client: ApiClient, input: Static<typeof SetupCompleteBody>): Promise<void> {
  await client.post('/api/operator-setup', input);
}
