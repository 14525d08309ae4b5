// The one guard for server answers: the UI trusts the shape of a response only after checking it
// against the very schema the server answers with (src/shared/api/), so a mismatch between server
// and UI shows as one clear error naming the first wrong field instead of a blank page.
//
// TypeBox's Value functions interpret the schema; its TypeCompiler would generate code with
// `new Function`, which the CSP (script-src 'self') forbids.
import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { Errors, ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Check } from '@sinclair/typebox/value';
import { ApiError } from './client.js';

// TypeBox knows no string formats by itself and refuses a value whose format it does not know;
// these are the ones the answers use (response-check.test.ts keeps the list complete). Plausible,
// not pedantic: the server wrote the value, the check only catches a field mixed up with another.
const formats: Record<string, (value: string) => boolean> = {
  'date-time': (value) => /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(value) && !Number.isNaN(Date.parse(value)),
  email: (value) => /^[^\s@]+@[^\s@]+$/.test(value),
};
for (const [name, check] of Object.entries(formats)) if (!FormatRegistry.Has(name)) FormatRegistry.Set(name, check);

/**
 * The error to name: for a union (a nullable field, say), the deepest error among its branches,
 * so `{ byNumber: { deviceCount: 'x' } }` names `/byNumber/deviceCount`, not just `/byNumber`.
 */
function deepest(error: ValueError): ValueError {
  if (error.type !== ValueErrorType.Union) return error;
  let best = error;
  for (const branch of error.errors) {
    const first = branch.First();
    if (first === undefined) continue;
    const candidate = deepest(first);
    if (candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

/** The answer, typed by its schema; an ApiError `bad_response` naming `what` and the first wrong path otherwise. */
export function checkResponse<T extends TSchema>(schema: T, value: unknown, what: string): Static<T> {
  if (Check(schema, value)) return value;
  const first = Errors(schema, value).First();
  const error = first === undefined ? undefined : deepest(first);
  const where = error === undefined ? '' : ` at ${error.path === '' ? '/' : error.path}: ${error.message}`;
  throw unexpectedAnswer(`${what}${where}`);
}

/** The same error for an answer that passes its schema but not a rule the schema cannot say. */
export function unexpectedAnswer(what: string): ApiError {
  return new ApiError({ status: 200, code: 'bad_response', message: `The server sent an unexpected answer (${what}).` });
}
