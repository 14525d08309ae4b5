// The telegram check (docs/inventory.md "Telegram check", docs/product.md flow 6).
import { ApiError, isRecord, type ApiClient } from './client.js';
import { nullableStringOf, objectOf, stringOf } from './parse.js';

export const telegramOutcomes = ['decrypts', 'does-not-decrypt', 'reversed-key', 'no-device', 'no-key', 'not-encrypted', 'not-a-telegram'] as const;
export type TelegramOutcome = (typeof telegramOutcomes)[number];

export interface TelegramAddress {
  manufacturer: string;
  id: string;
  version: number | null;
  deviceType: number | null;
}

export interface TelegramCheck {
  outcome: TelegramOutcome;
  address: TelegramAddress | null;
  device: { id: string; manufacturer: string; serial: string; model: string | null } | null;
  /** The version of the device's active DEK that was tried. */
  keyVersion: number | null;
  reading: { driver: string; fields: [string, string][] } | null;
  reason: string | null;
  offset: number | null;
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

function valueText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '–';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function parseAddress(value: unknown): TelegramAddress | null {
  if (!isRecord(value)) return null;
  return {
    manufacturer: stringOf(value['manufacturer'], 'address manufacturer'),
    id: stringOf(value['id'], 'address id'),
    version: numberOrNull(value['version']),
    deviceType: numberOrNull(value['deviceType']),
  };
}

function parseReading(value: unknown): TelegramCheck['reading'] {
  if (!isRecord(value)) return null;
  const fields = value['fields'];
  const entries: [string, string][] = isRecord(fields) ? Object.entries(fields).map(([name, v]) => [name, valueText(v)]) : [];
  return { driver: typeof value['driver'] === 'string' ? value['driver'] : '', fields: entries };
}

export async function checkTelegram(client: ApiClient, telegram: string): Promise<TelegramCheck> {
  const body = objectOf(await client.post('/api/telegram-checks', { telegram }), 'telegram check');
  const outcome = telegramOutcomes.find((o) => o === body['outcome']);
  if (outcome === undefined) throw new ApiError({ status: 200, code: 'bad_response', message: 'The server sent an unexpected answer (telegram outcome).' });
  const device = body['device'];
  const keyVersion = body['keyVersion'];
  return {
    outcome,
    address: parseAddress(body['address']),
    device: isRecord(device) ? { id: stringOf(device['id'], 'device id'), manufacturer: stringOf(device['manufacturer'], 'manufacturer'), serial: stringOf(device['serial'], 'serial'), model: nullableStringOf(device['model'], 'model') } : null,
    keyVersion: numberOrNull(keyVersion),
    reading: parseReading(body['reading']),
    reason: nullableStringOf(body['reason'], 'reason'),
    offset: numberOrNull(body['offset']),
  };
}
