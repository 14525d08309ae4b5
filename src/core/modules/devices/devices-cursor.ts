import { AppError } from '../../../shared/errors.js';
import type { DeviceSort } from './devices-schemas.js';

// The list cursor: opaque to clients, base64url of `[sort, ...the last row's sort values, id]`.
// It is not signed: a forged one only moves the page start, the scope still decides which rows
// come back. What is checked is its shape, that it re-encodes to the very same text, and that it
// was made for the sort asked for.

const MAX_VALUE = 256;

export function encodeCursor(sort: DeviceSort, values: readonly string[]): string {
  return Buffer.from(JSON.stringify([sort, ...values]), 'utf8').toString('base64url');
}

function invalid(reason: string): AppError {
  return new AppError('validation_failed', `cursor ${reason}.`, { details: [{ field: 'cursor', reason }] });
}

/** The sort values of a cursor made for `sort` with `count` values (the id last). */
export function decodeCursor(cursor: string, sort: DeviceSort, count: number): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('is not a cursor of this list');
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every((v): v is string => typeof v === 'string' && v.length <= MAX_VALUE)) {
    throw invalid('is not a cursor of this list');
  }
  if (encodeCursor(parsed[0] as DeviceSort, parsed.slice(1)) !== cursor) throw invalid('is not a cursor of this list');
  if (parsed[0] !== sort) throw invalid(`was made for another sort order than ${sort}`);
  const values = parsed.slice(1);
  if (values.length !== count || values[count - 1] === '') throw invalid('is not a cursor of this list');
  return values;
}
