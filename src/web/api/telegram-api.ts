// The telegram check (docs/inventory.md "Telegram check", docs/product.md flow 6).
import type { Static } from '@sinclair/typebox';
import { TelegramCheckView, type TelegramCheckBody } from '../../shared/api/telegram-check.js';
import type { ApiClient } from './client.js';
import { checkResponse } from './response-check.js';

/** The answer: the fields beside `outcome` are present only where the outcome has them. */
export type TelegramCheck = Static<typeof TelegramCheckView>;

export async function checkTelegram(client: ApiClient, telegram: string): Promise<TelegramCheck> {
  const body: Static<typeof TelegramCheckBody> = { telegram };
  return checkResponse(TelegramCheckView, await client.post('/api/telegram-checks', body), 'telegram check');
}
