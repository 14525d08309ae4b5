import type { Container } from '../core/container.js';
import type { Actor } from '../core/access/actor.js';
import { systemPrincipal } from '../core/access/principal.js';
import type { TelegramCheckResult } from '../core/modules/telegram-check/telegram-check-service.js';
import { AppError } from '../shared/errors.js';
import { CliFailure } from './cli-context.js';

export interface CheckTelegramInput {
  telegram: string;
  json?: boolean;
  actor: Actor;
  print(line: string): void;
}

const valuesOf = (r: TelegramCheckResult): string => {
  if (r.reading) {
    const fields = Object.entries(r.reading.fields).map(([k, v]) => `${k}=${v === null ? 'null' : String(v)}`);
    return ` (${[r.reading.driver + (fields.length > 0 ? ':' : ''), ...fields].join(' ')})`;
  }
  if (r.reason === 'needs-full-frame') return ' (a compact frame: its values need a full frame of this meter first)';
  if (r.reason !== undefined) return ` (its values do not decode: ${r.reason}${r.offset === undefined ? '' : ` at byte ${r.offset} of the application data`})`;
  return '';
};

/** One line in plain words for an outcome; exported for the tests of the wording. */
export function describeCheck(r: TelegramCheckResult): string {
  const who = r.device ? `${r.device.manufacturer} ${r.device.serial}` : r.address ? `${r.address.manufacturer} ${r.address.id}` : 'the telegram';
  switch (r.outcome) {
    case 'decrypts':
      return `${who}: the stored key decrypts this telegram${valuesOf(r)}`;
    case 'does-not-decrypt':
      return `${who}: the stored key does not decrypt it${r.reason === 'bad-key' ? ' (it is not a 16-byte AES-128 key)' : ''}`;
    case 'reversed-key':
      return `${who}: the stored key does not decrypt it; the byte-reversed key would`;
    case 'no-device':
      return `no device ${who} in the inventory`;
    case 'no-key':
      return `${who}: the device has no active key (DEK)`;
    case 'not-encrypted':
      return `${who}: the telegram is not encrypted, there is no key to check${valuesOf(r)}`;
    case 'not-a-telegram':
      return `${r.device ? `${who}: ` : ''}not a telegram: ${r.reason ?? 'unreadable'} at byte ${r.offset ?? 0}`;
  }
}

/** `openeks check-telegram HEX`: exit 0 only when the stored key decrypts the telegram. */
export async function checkTelegram(c: Container, input: CheckTelegramInput): Promise<void> {
  let result: TelegramCheckResult;
  try {
    // The CLI runs with the rights of whoever holds the server: every device is in scope.
    result = await c.telegramCheck.check({ principal: systemPrincipal, actor: input.actor, telegram: input.telegram });
  } catch (e) {
    if (e instanceof AppError && e.code === 'validation_failed') throw new CliFailure(`${e.message} Give it in hex, L-field first.`, 2);
    throw e;
  }
  const line = describeCheck(result);
  input.print(input.json ? JSON.stringify(result) : line);
  if (result.outcome !== 'decrypts') throw new CliFailure(line, 1);
}
