import type { FastifyInstance } from 'fastify';
import { AppError } from '../../shared/errors.js';
import { findTextProblems } from '../../shared/text/text-rule.js';

// SEC-34: every text a request carries — each string of a JSON body, the query string, the path
// parameters — follows the one text rule (src/shared/text/text-rule.ts): no lone surrogate, no
// bidirectional control (passwords may hold the latter). Checked here, before the schema, so it
// holds for every route, also for one whose schema would let a free-form value through.

/** A parsed JSON body is a plain object or array; the import routes' raw file body is a stream. */
const isJsonValue = (body: unknown): boolean =>
  typeof body === 'string' || Array.isArray(body) || (body !== null && typeof body === 'object' && Object.getPrototypeOf(body) === Object.prototype);

export function registerTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    // The web shell's pages and files read no query string on the server; only the API's do.
    const api = request.routeOptions.url?.startsWith('/api/') === true;
    const problems = [
      ...(api ? findTextProblems(request.params, 'params') : []),
      ...(api ? findTextProblems(request.query, 'querystring') : []),
      ...(isJsonValue(request.body) ? findTextProblems(request.body, 'body') : []),
    ];
    const first = problems[0];
    if (first) throw new AppError('validation_failed', `${first.field} ${first.reason}.`, { details: problems });
  });
}
