import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.js';
import type { DenialRecorder } from '../access/access-guard.js';
import { actorFor, anonymousActor } from '../access/actor.js';
import { can } from '../access/permissions.js';
import type { Origin } from '../access/actor.js';
import type { MachinePrincipal, Principal } from '../access/principal.js';
import { csrfHeader, csrfMatches, sessionCookieName } from './session-cookie.js';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface AuthHookDeps {
  /** The principal behind a session token, or null when the session is unknown or has ended. */
  authenticate(sessionToken: string): Promise<Principal | null>;
  /** The machine behind an API token (`Authorization: Bearer`), or null when unknown, revoked, expired or its user is not active. */
  authenticateToken(apiToken: string, origin: Origin): Promise<MachinePrincipal | null>;
  recordDenial: DenialRecorder;
  https: boolean;
}

/**
 * Deny by default (SEC-27): a route without a declared access level is refused, a route that
 * needs a session gets 401 without one, an unfinished session (second factor or enrolment due)
 * reaches only the routes that allow its stage, a missing permission is audited and answered
 * 404, and a state-changing request on a session needs the session's CSRF token (SEC-26).
 * `Authorization: Bearer <API token>` (docs/api-tokens.md) replaces the cookie: no CSRF check
 * (a browser never adds the header on its own), and a token reaches only routes that declare a
 * permission its kind holds — never `signed-in` ones (the profile, sessions, tokens).
 * This is the coarse "who may call this route at all"; the services check again, per object.
 */
export function registerAuthHook(app: FastifyInstance, deps: AuthHookDeps): void {
  const cookieName = sessionCookieName(deps.https);
  app.decorateRequest('principal', null);

  app.addHook('onRequest', async (request: FastifyRequest) => {
    const origin = { ip: request.ip, userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null, requestId: request.id };
    request.actor = anonymousActor(origin);
    const access = request.routeOptions.config.access;
    if (request.routeOptions.url === undefined) return; // no route: the not-found handler answers
    if (access === undefined) throw new AppError('not_found');

    const bearer = bearerOf(request.headers.authorization);
    const token = bearer === undefined ? request.cookies[cookieName] : undefined;
    if (bearer !== undefined) {
      request.principal = await deps.authenticateToken(bearer, origin);
      if (request.principal) request.actor = actorFor(request.principal, origin);
    } else if (token) {
      request.principal = await deps.authenticate(token);
      if (request.principal) request.actor = actorFor(request.principal, origin);
    }
    if (access === 'public') return;
    const principal = request.principal;
    if (!principal) throw new AppError('unauthenticated');
    if (principal.kind === 'machine') {
      if (access === 'signed-in' || !can(principal, access)) {
        await deps.recordDenial({ actor: request.actor, target: { type: 'route', id: `${request.method} ${request.routeOptions.url ?? ''}` }, reason: `token may not use this route (${access})` });
        throw new AppError('not_found');
      }
      return;
    }
    // A session that still owes its second factor is not signed in yet (401); one that must
    // first set up a second factor may do nothing else (403). Routes opt in per stage.
    if (principal.kind === 'person' && principal.stage !== 'complete' && !(request.routeOptions.config.allowStages ?? []).includes(principal.stage)) {
      throw new AppError(principal.stage === 'enrol' ? 'mfa_enrolment_required' : 'unauthenticated');
    }
    if (!safeMethods.has(request.method)) {
      const sent = request.headers[csrfHeader];
      if (!token || !csrfMatches(token, typeof sent === 'string' ? sent : undefined)) throw new AppError('csrf_failed');
    }
    if (access !== 'signed-in' && !can(principal, access)) {
      await deps.recordDenial({ actor: request.actor, target: { type: 'route', id: `${request.method} ${request.routeOptions.url ?? ''}` }, reason: `missing permission ${access}` });
      throw new AppError('not_found');
    }
  });
}

/**
 * The credentials of `Authorization: Bearer <token>` ('' when malformed), or undefined without a
 * Bearer header (another scheme, e.g. a proxy's Basic, leaves the session cookie in charge).
 */
function bearerOf(header: string | undefined): string | undefined {
  if (header === undefined || !/^Bearer(\s|$)/i.test(header)) return undefined;
  const match = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header);
  return match?.[1] ?? '';
}
