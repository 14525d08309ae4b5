// API tokens (docs/api-tokens.md): the user's own on the profile page, every token for operators.
import type { Static } from '@sinclair/typebox';
import { OperatorTokenPageView, TokenCreatedView, TokenListView, type TokenCreateBody } from '../../shared/api/tokens.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

export type { OperatorTokenView as OperatorToken, TokenCreateBody, TokenView as ApiToken } from '../../shared/api/tokens.js';
export type TokenCreated = Static<typeof TokenCreatedView>;
export type OperatorTokenPage = Static<typeof OperatorTokenPageView>;

export async function listMyTokens(client: ApiClient, options?: RequestOptions) {
  return checkResponse(TokenListView, await client.get('/api/me/tokens', options), 'API tokens').items;
}

/** The token itself is in this answer only. Rejects with `validation_failed` naming `name`, `expiresInDays`, `publicKey` or a filter field. */
export async function createToken(client: ApiClient, input: TokenCreateBody): Promise<TokenCreated> {
  return checkResponse(TokenCreatedView, await client.post('/api/me/tokens', input), 'new API token');
}

export async function revokeMyToken(client: ApiClient, id: string): Promise<void> {
  await client.delete(`/api/me/tokens/${encodeURIComponent(id)}`);
}

export async function listAllTokens(client: ApiClient, input: { cursor: string | null }, options?: RequestOptions): Promise<OperatorTokenPage> {
  const query = input.cursor === null ? '' : `?cursor=${encodeURIComponent(input.cursor)}`;
  return checkResponse(OperatorTokenPageView, await client.get(`/api/tokens${query}`, options), 'API tokens');
}

export async function revokeAnyToken(client: ApiClient, id: string): Promise<void> {
  await client.post(`/api/tokens/${encodeURIComponent(id)}/revoke`, {});
}
