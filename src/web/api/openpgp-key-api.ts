// The signed-in user's OpenPGP public key for encrypted downloads (profile page; docs/downloads.md).
import { OpenPgpKeyState, OpenPgpKeyView } from '../../shared/api/openpgp-key.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

export type { OpenPgpKeyView } from '../../shared/api/openpgp-key.js';

/** The registered key, or null when there is none. */
export async function getOpenPgpKey(client: ApiClient, options?: RequestOptions): Promise<OpenPgpKeyView | null> {
  return checkResponse(OpenPgpKeyState, await client.get('/api/me/openpgp-key', options), 'OpenPGP key').key;
}

export async function putOpenPgpKey(client: ApiClient, armored: string): Promise<OpenPgpKeyView> {
  return checkResponse(OpenPgpKeyView, await client.put('/api/me/openpgp-key', { armored }), 'OpenPGP key');
}

export async function deleteOpenPgpKey(client: ApiClient): Promise<void> {
  await client.delete('/api/me/openpgp-key');
}
