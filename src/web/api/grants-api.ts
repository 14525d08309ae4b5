// Read rights (docs/grants.md): who reads the selected devices, assigning them to an e-mail, and
// removing a reader. A selection is ticked ids or "all N matching" (src/shared/api/grants.ts).
import type { Static } from '@sinclair/typebox';
import {
  GrantResultView, ReadersView, RevokeResultView,
  type DeviceSelection, type GrantBody, type ReadersBody, type RevokeBody,
} from '../../shared/api/grants.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

export type { DeviceSelection, GrantResultView as GrantResult, ReaderView as Reader, ReadersView as Readers } from '../../shared/api/grants.js';

/** Changes nothing; POST because a selection of ids can be long. */
export async function listReaders(client: ApiClient, selection: DeviceSelection, options?: RequestOptions): Promise<ReadersView> {
  const body: Static<typeof ReadersBody> = { selection };
  return checkResponse(ReadersView, await client.post('/api/grants/readers', body, options), 'readers');
}

/** Rejects with `selection_changed` (details[0].count: the new count), `validation_failed` (field `email`), `reader_disabled`, `not_found`. */
export async function assignReadRights(client: ApiClient, input: GrantBody): Promise<GrantResultView> {
  return checkResponse(GrantResultView, await client.post('/api/grants', input), 'grant');
}

/** Without a selection: everything of the reader within the caller's scope. Rejects with `nothing_to_revoke`. */
export async function revokeReadRights(client: ApiClient, input: RevokeBody): Promise<RevokeResultView> {
  return checkResponse(RevokeResultView, await client.post('/api/grants/revoke', input), 'revoke');
}
