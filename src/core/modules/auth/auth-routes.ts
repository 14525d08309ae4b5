import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../../shared/errors.js';
import { personOf, principalOf } from '../../http/principal-of.js';
import { errorResponses } from '../../http/schemas.js';
import { csrfTokenFor, sessionCookie } from '../../http/session-cookie.js';
import { sessionView } from '../../http/session-view.js';
import type { OperatorSetupService } from './operator-setup-service.js';
import { DisableView, SessionIdParams, SessionListView, SessionView, SetupCompleteBody, SetupInspectBody, SetupInspectView, SignInBody, UserIdParams } from './auth-schemas.js';
import type { NewSession, SessionService } from './session-service.js';
import type { SignInService } from './sign-in-service.js';
import type { UserAdminService } from './user-admin-service.js';

export function authRoutes(deps: {
  sessions: SessionService;
  signIn: SignInService;
  userAdmin: UserAdminService;
  operatorSetup: OperatorSetupService;
  https: boolean;
  authRateLimit: number;
}): FastifyPluginAsyncTypebox {
  const cookie = sessionCookie(deps.https);
  const authLimit = { max: deps.authRateLimit, timeWindow: '1 minute' };
  const pending = ['mfa', 'enrol'] as const;

  return async (app) => {
    app.get('/api/session', {
      config: { access: 'signed-in', allowStages: pending },
      schema: { tags: ['session'], summary: 'The signed-in user, the stage of the session and the CSRF token for state-changing requests', response: { 200: SessionView, ...errorResponses } },
      handler: async (request) => {
        const token = request.cookies[cookie.name];
        if (!token) throw new AppError('unauthenticated');
        return sessionView(personOf(request), csrfTokenFor(token));
      },
    });

    app.post('/api/session', {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['session'],
        summary: 'Sign in with e-mail and password. With a second factor the session starts in stage `mfa` (then POST /api/session/mfa); an account that must have one and has none starts in `enrol`.',
        body: SignInBody,
        response: { 200: SessionView, ...errorResponses },
      },
      handler: async (request, reply) => {
        const session: NewSession = await deps.signIn.signIn({ email: request.body.email, password: request.body.password, actor: request.actor });
        void reply.setCookie(cookie.name, session.token, cookie.options);
        return sessionView(session.principal, session.csrfToken);
      },
    });

    app.delete('/api/session', {
      config: { access: 'signed-in', allowStages: pending },
      schema: { tags: ['session'], summary: 'Sign out: ends the session on the server', response: { 204: Type.Null(), ...errorResponses } },
      handler: async (request, reply) => {
        await deps.sessions.signOut({ principal: personOf(request), actor: request.actor });
        void reply.clearCookie(cookie.name, { path: '/' });
        return reply.status(204).send(null);
      },
    });

    app.get('/api/sessions', {
      config: { access: 'signed-in' },
      schema: { tags: ['session'], summary: "The signed-in user's sessions (device, IP, last use), the current one marked", response: { 200: SessionListView, ...errorResponses } },
      handler: async (request) => ({ sessions: await deps.sessions.list({ principal: personOf(request) }) }),
    });

    app.delete('/api/sessions/:id', {
      config: { access: 'signed-in' },
      schema: {
        tags: ['session'],
        summary: "Ends another of the signed-in user's sessions (the current one ends by signing out)",
        params: SessionIdParams,
        response: { 204: Type.Null(), ...errorResponses, 409: Type.Ref('ErrorBody') },
      },
      handler: async (request, reply) => {
        await deps.sessions.revoke({ principal: personOf(request), sessionId: request.params.id, actor: request.actor });
        return reply.status(204).send(null);
      },
    });

    app.post('/api/users/:id/disable', {
      config: { access: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Disable an account: every session of it ends at once and it can no longer sign in',
        params: UserIdParams,
        response: { 200: DisableView, ...errorResponses, 409: Type.Ref('ErrorBody') },
      },
      handler: async (request) => deps.userAdmin.disable({ principal: principalOf(request), userId: request.params.id, actor: request.actor }),
    });

    app.post('/api/operator-setup/inspect', {
      config: { access: 'public', rateLimit: authLimit },
      schema: { tags: ['operator setup'], summary: 'What a setup link is for (its e-mail, or null for the first operator)', body: SetupInspectBody, response: { 200: SetupInspectView, ...errorResponses, 410: Type.Ref('ErrorBody') } },
      handler: async (request) => deps.operatorSetup.inspect(request.body.token),
    });

    app.post('/api/operator-setup', {
      config: { access: 'public', rateLimit: authLimit },
      schema: { tags: ['operator setup'], summary: "Set an operator's first password through a one-time link", body: SetupCompleteBody, response: { 204: Type.Null(), ...errorResponses, 410: Type.Ref('ErrorBody') } },
      handler: async (request, reply) => {
        const { token, password, name, email, language } = request.body;
        await deps.operatorSetup.complete({ token, password, name, email, language, actor: { ...request.actor, authMethod: 'setup-link' } });
        return reply.status(204).send(null);
      },
    });
  };
}
