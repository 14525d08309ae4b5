import { AppError, type ErrorCode } from '../../shared/errors.js';

// Libraries answer some requests by raising an error that carries an HTTP status instead of
// sending one: @fastify/send (under @fastify/static, for the web shell and the API docs) for a
// range beyond the end (416), a precondition that fails (412), a path that leaves the served
// folder (403) or holds a NUL byte (400). Such a status is the client's doing, so it keeps its
// 4xx with a catalogue code rather than becoming a 500 logged at error level (issue 11, SEC-34).

const codeByStatus: Readonly<Partial<Record<number, ErrorCode>>> = {
  400: 'validation_failed',
  401: 'unauthenticated',
  // A file outside the served folder (or a dotfile) is no file the caller can have: "not found",
  // as for someone else's object (docs/style.md 6).
  403: 'not_found',
  404: 'not_found',
  409: 'conflict',
  412: 'precondition_failed',
  413: 'body_too_large',
  415: 'unsupported_media_type',
  416: 'range_not_satisfiable',
  429: 'rate_limited',
};

function clientStatusOf(err: object): number | undefined {
  const status = 'statusCode' in err && typeof err.statusCode === 'number' ? err.statusCode : 'status' in err && typeof err.status === 'number' ? err.status : undefined;
  return status !== undefined && status >= 400 && status <= 499 ? status : undefined;
}

/** The length of the file a 416 was about, as send puts it (`bytes *\/1234`). */
function contentRangeOf(err: object): string | undefined {
  if (!('headers' in err) || typeof err.headers !== 'object' || err.headers === null) return undefined;
  const value = 'Content-Range' in err.headers ? err.headers['Content-Range'] : undefined;
  return typeof value === 'string' && /^bytes \*\/\d+$/.test(value) ? value : undefined;
}

/**
 * The catalogue's error for an error that carries a 4xx status (any other 4xx is a request the
 * service does not take: 400 validation_failed), with the one header it may need; undefined
 * when the error carries no client status.
 */
export function clientStatusError(err: object): { error: AppError; contentRange?: string } | undefined {
  const status = clientStatusOf(err);
  if (status === undefined) return undefined;
  const error = new AppError(codeByStatus[status] ?? 'validation_failed');
  const contentRange = status === 416 ? contentRangeOf(err) : undefined;
  return contentRange === undefined ? { error } : { error, contentRange };
}
