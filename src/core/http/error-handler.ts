import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, errorCatalog, type ErrorCode, type FieldProblem } from '../../shared/errors.js';
import { isConnectionError } from '../db/db-errors.js';
import { clientStatusError } from './status-errors.js';

// One handler, one body: { error: { code, message, requestId, details? } } (docs/style.md 5, SEC-34).
// Stack traces, SQL and driver messages go to the log, never to the client.

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function fieldOf(issue: ValidationIssue, context: string | undefined): string {
  const base = (issue.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const extra = issue.params?.additionalProperty ?? issue.params?.missingProperty;
  const name = [base, typeof extra === 'string' ? extra : ''].filter(Boolean).join('.');
  return name || context || 'body';
}

function reasonOf(issue: ValidationIssue): string {
  if (issue.keyword === 'additionalProperties') return 'is not a known field';
  if (issue.keyword === 'required') return 'is required';
  return issue.message ?? 'is not valid';
}

function toAppError(err: FastifyError & { validation?: ValidationIssue[]; validationContext?: string }): AppError {
  if (err instanceof AppError) return err;
  if (Array.isArray(err.validation)) {
    const details: FieldProblem[] = err.validation.map((issue) => ({ field: fieldOf(issue, err.validationContext), reason: reasonOf(issue) }));
    const first = details[0];
    return new AppError('validation_failed', first ? `${first.field} ${first.reason}.` : undefined, { details });
  }
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('body_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('validation_failed', 'The request body is empty.', { details: [{ field: 'body', reason: 'is required' }] });
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new AppError('validation_failed', 'The request body is not valid JSON.', { details: [{ field: 'body', reason: 'is not valid JSON' }] });
    // Raised by the router (Fastify's frameworkErrors) before any route runs; never quoted back.
    case 'FST_ERR_BAD_URL':
      return new AppError('validation_failed', 'The URL is not valid.', { details: [{ field: 'url', reason: 'is not a valid URL' }] });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('not_found');
    default:
      break;
  }
  const client = clientStatusError(err);
  if (client) return client.error;
  if (isConnectionError(err)) return new AppError('database_unavailable', undefined, { cause: err });
  return new AppError('internal', undefined, { cause: err });
}

/**
 * @param deps.databaseDown asked only for an otherwise unexplained failure: a connection the
 *   server dropped mid-query carries no driver code, so the database's reachability decides.
 */
export function registerErrorHandler(app: FastifyInstance, deps: { databaseDown(): Promise<boolean> }): void {
  app.setErrorHandler(async (rawError: FastifyError, request, reply) => {
    let err = toAppError(rawError);
    if (err.code === 'internal' && (await deps.databaseDown())) err = new AppError('database_unavailable', undefined, { cause: rawError });
    if (err.status >= 500) request.log.error({ err: rawError, code: err.code }, 'request failed');
    else request.log.info({ code: err.code }, 'request refused');
    const code: ErrorCode = err.code;
    const body: { code: ErrorCode; message: string; requestId: string; details?: FieldProblem[] } = {
      code,
      message: err.status >= 500 && code === 'internal' ? errorCatalog.internal.message : err.message,
      requestId: request.id,
    };
    if (err.details) body.details = err.details;
    if (code === 'rate_limited' && !reply.getHeader('retry-after')) reply.header('retry-after', '60');
    const contentRange = code === 'range_not_satisfiable' ? clientStatusError(rawError)?.contentRange : undefined;
    if (contentRange !== undefined) reply.header('content-range', contentRange);
    return reply.status(err.status).send({ error: body });
  });
}
