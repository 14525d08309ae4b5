import { parseTelegramHex } from '../../../shared/telegrams/telegram-hex.js';

// The check page's own look at the input before sending it: the server's reading of the hex
// (src/shared/telegrams/telegram-hex.ts), so the page refuses exactly what the server would.

export function telegramProblem(value: string): 'required' | 'invalid' | 'tooLong' | null {
  const parsed = parseTelegramHex(value);
  if (!('problem' in parsed)) return null;
  if (parsed.problem === 'is empty') return 'required';
  return parsed.problem === 'is longer than 512 bytes' ? 'tooLong' : 'invalid';
}
