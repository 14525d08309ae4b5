import type { Container } from '../core/container.js';
import type { Actor } from '../core/modules/audit/audit-writer.js';
import { CliFailure } from './cli-context.js';

export interface CheckTelegramInput {
  telegram: string;
  json?: boolean;
  actor: Actor;
  print(line: string): void;
}

/** `openeks check-telegram HEX`: exit 0 only when the stored key decrypts the telegram. */
export async function checkTelegram(c: Container, input: CheckTelegramInput): Promise<void> {
  void c;
  void input;
  throw new CliFailure('check-telegram is not built yet');
}
