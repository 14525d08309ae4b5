import type { ApiClient, RequestOptions } from './client.js';
import { arrayOf, nullableStringOf, numberOf, objectOf, stringOf } from './parse.js';

export interface OutboxItem {
  id: string;
  recipient: string;
  subject: string;
  template: string;
  language: string;
  status: string;
  attempts: number;
  createdAt: string;
  sentAt: string | null;
}

export interface OutboxMessage extends OutboxItem {
  text: string | null;
  html: string | null;
}

export interface OutboxPage {
  items: OutboxItem[];
  nextCursor: string | null;
}

export const outboxPageSize = 50;

function parseItem(value: unknown): OutboxItem {
  const item = objectOf(value, 'outbox item');
  return {
    id: stringOf(item['id'], 'mail id'),
    recipient: stringOf(item['recipient'], 'recipient'),
    subject: stringOf(item['subject'], 'subject'),
    template: stringOf(item['template'], 'template'),
    language: stringOf(item['language'], 'language'),
    status: stringOf(item['status'], 'status'),
    attempts: numberOf(item['attempts'], 'attempts'),
    createdAt: stringOf(item['createdAt'], 'created at'),
    sentAt: nullableStringOf(item['sentAt'], 'sent at'),
  };
}

export async function listOutbox(client: ApiClient, input: { cursor?: string | null }, options?: RequestOptions): Promise<OutboxPage> {
  const query = new URLSearchParams({ limit: String(outboxPageSize) });
  if (input.cursor) query.set('cursor', input.cursor);
  const body = objectOf(await client.get(`/api/mail/outbox?${query.toString()}`, options), 'outbox');
  return {
    items: arrayOf(body['items'], 'outbox items', parseItem),
    nextCursor: nullableStringOf(body['nextCursor'], 'next cursor'),
  };
}

export async function getOutboxMessage(client: ApiClient, id: string, options?: RequestOptions): Promise<OutboxMessage> {
  const value = await client.get(`/api/mail/outbox/${encodeURIComponent(id)}`, options);
  const body = objectOf(value, 'outbox message');
  return { ...parseItem(body), text: nullableStringOf(body['text'], 'mail text'), html: nullableStringOf(body['html'], 'mail html') };
}
