// Small guards for server answers: the UI trusts the shape of a response only after checking it,
// so a mismatch between server and UI shows as one clear error instead of a blank page.
import { ApiError, isRecord } from './client.js';

function mismatch(what: string): ApiError {
  return new ApiError({ status: 200, code: 'bad_response', message: `The server sent an unexpected answer (${what}).` });
}

export function objectOf(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw mismatch(what);
  return value;
}

export function stringOf(value: unknown, what: string): string {
  if (typeof value !== 'string') throw mismatch(what);
  return value;
}

export function nullableStringOf(value: unknown, what: string): string | null {
  if (value === null || value === undefined) return null;
  return stringOf(value, what);
}

export function numberOf(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw mismatch(what);
  return value;
}

export function arrayOf<T>(value: unknown, what: string, item: (entry: unknown) => T): T[] {
  if (!Array.isArray(value)) throw mismatch(what);
  return value.map((entry: unknown) => item(entry));
}
