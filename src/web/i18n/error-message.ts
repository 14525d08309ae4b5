import type { TFunction } from 'i18next';
import { isApiError } from '../api/client.js';
import { en } from './en.js';

type ErrorCode = keyof typeof en.errorCodes;

function isKnownCode(code: string): code is ErrorCode {
  return Object.hasOwn(en.errorCodes, code);
}

/** The user's-language text for an error: a known API code is translated, an unknown one keeps the server's message. */
export function errorMessage(t: TFunction, err: unknown): string {
  if (isApiError(err)) return isKnownCode(err.code) ? t(`errorCodes.${err.code}`) : err.message;
  return t('errorCodes.internal');
}
