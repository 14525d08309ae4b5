import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../lib/errors.js';
import { can } from '../modules/auth/permissions.js';
import type { SessionService } from '../modules/auth/session-service.js';
import type { AuditWriter } from '../modules/audit/audit-writer.js';
import type { Db } from '../db/database.js';

export const csrfHeader = 'x-csrf-token';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionCookieName(https: boolean): string {
  // The __Host- prefix pins the cookie to this origin, path / and Secure (SEC-24).
  return https ? '__Host-openeks_session' : 'openeks_session';
}

/**
 * Deny by default (SEC-27): a route without a declared access level is refused, a route that
 * needs a session gets 401 without one, an unfinished session (second factor or enrolment due)
 * reaches only the routes that allow its stage, a missing permission is audited and answered
 * 404, and a state-changing request on a session needs the session's CSRF token (SEC-26).
 */
export function registerAuthHook(app: FastifyInstance, deps: { sessions: SessionService; audit: AuditWriter; db: Db; https: boolean }): void {
  const cookieName = sessionCookieName(deps.https);
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    request.actor = {
      userId: null,
      role: 'anonymous',
      ip: request.ip,
      userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
      requestId: request.id,
      authMethod: 'none',
    };
    const access = request.routeOptions.config.access;
    if (request.routeOptions.url === undefined) return; // no route: the not-found handler answers
    if (access === undefined) throw new AppError('not_found');

    const token = request.cookies[cookieName];
    if (token) {
      request.principal = await deps.sessions.authenticate(token);
      if (request.principal) {
        request.actor = {
          ...request.actor,
          userId: request.principal.userId,
          role: request.principal.roles.includes('operator') ? 'operator' : request.principal.roles.includes('superuser') ? 'superuser' : 'user',
          authMethod: 'session',
        };
      }
    }
    if (access === 'public') return;
    const principal = request.principal;
    if (!principal) throw new AppError('unauthenticated');
    // A session that still owes its second factor is not signed in yet (401); one that must
    // first set up a second factor may do nothing else (403). Routes opt in per stage.
    if (principal.stage !== 'complete' && !(request.routeOptions.config.allowStages ?? []).includes(principal.stage)) {
      throw new AppError(principal.stage === 'enrol' ? 'mfa_enrolment_required' : 'unauthenticated');
    }
    if (!safeMethods.has(request.method)) {
      const sent = request.headers[csrfHeader];
      if (!token || !deps.sessions.csrfMatches(token, typeof sent === 'string' ? sent : undefined)) throw new AppError('csrf_failed');
    }
    if (access !== 'signed-in' && !can(principal.roles, access)) {
      await deps.db.kysely.transaction().execute((trx) =>
        deps.audit.write(trx, {
          actor: request.actor,
          action: 'access.deny',
          target: { type: 'route', id: `${request.method} ${request.routeOptions.url ?? ''}` },
          result: 'denied',
          reason: `missing permission ${access}`,
        }),
      );
      throw new AppError('not_found');
    }
  });
}
