// The telegram check's body and answer are read and sent by the web UI as well:
// src/shared/api/telegram-check.ts.
export {
  TelegramAddress, TelegramCheckBody, TelegramCheckView, telegramOutcomes, type TelegramCheckResult, type TelegramOutcome,
} from '../../../shared/api/telegram-check.js';
