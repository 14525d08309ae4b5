import { AppError } from '../shared/errors.js';

// An opaque keyset position: the sort values of the last row of a page, as base64url JSON. Not
// signed: a forged cursor only moves where a page starts; what a caller may see is decided by
// the query's scope, never by the cursor.

export function encodeKeysetCursor(values: readonly string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The `width` sort values of a cursor, or validation_failed naming `cursor`. */
export function decodeKeysetCursor(cursor: string, width: number): string[] {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === width && value.every((v) => typeof v === 'string')) return value as string[];
  } catch {
    // fall through to the error below
  }
  throw new AppError('validation_failed', 'The cursor is not valid; start again from the first page.', { details: [{ field: 'cursor', reason: 'malformed' }] });
}
