import type { Static } from '@sinclair/typebox';
import { MailMessageView, MailPageView, type MailItemView } from '../../shared/api/mail.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

export type OutboxItem = Static<typeof MailItemView>;
export type OutboxMessage = Static<typeof MailMessageView>;
export type OutboxPage = Static<typeof MailPageView>;

export const outboxPageSize = 50;

export async function listOutbox(client: ApiClient, input: { cursor?: string | null }, options?: RequestOptions): Promise<OutboxPage> {
  const query = new URLSearchParams({ limit: String(outboxPageSize) });
  if (input.cursor) query.set('cursor', input.cursor);
  return checkResponse(MailPageView, await client.get(`/api/mail/outbox?${query.toString()}`, options), 'outbox');
}

export async function getOutboxMessage(client: ApiClient, id: string, options?: RequestOptions): Promise<OutboxMessage> {
  return checkResponse(MailMessageView, await client.get(`/api/mail/outbox/${encodeURIComponent(id)}`, options), 'outbox message');
}
