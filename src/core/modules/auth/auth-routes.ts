import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../../lib/errors.js';
import { sessionCookieName } from '../../http/auth-hook.js';
import { errorResponses } from '../../http/schemas.js';
import type { OperatorSetupService } from './operator-setup-service.js';
import { SessionView, SetupCompleteBody, SetupInspectBody, SetupInspectView, SignInBody } from './auth-schemas.js';
import { csrfTokenFor, sessionAbsoluteMs, type Principal, type SessionService } from './session-service.js';

const view = (p: Principal) => ({ id: p.userId, email: p.email, name: p.name, roles: p.roles, language: p.language });

export function authRoutes(deps: { sessions: SessionService; operatorSetup: OperatorSetupService; https: boolean; authRateLimit: number }): FastifyPluginAsyncTypebox {
  const cookieName = sessionCookieName(deps.https);
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: deps.https, maxAge: sessionAbsoluteMs / 1000 };
  const authLimit = { max: deps.authRateLimit, timeWindow: '1 minute' };

  return async (app) => {
    app.get('/api/session', {
      config: { access: 'signed-in' },
      schema: { tags: ['session'], summary: 'The signed-in user and the CSRF token for state-changing requests', response: { 200: SessionView, ...errorResponses } },
      handler: async (request) => {
        const principal = request.principal;
        const token = request.cookies[cookieName];
        if (!principal || !token) throw new AppError('unauthenticated');
        return { user: view(principal), csrfToken: csrfTokenFor(token) };
      },
    });

    app.post('/api/session', {
      config: { access: 'public', rateLimit: authLimit },
      schema: { tags: ['session'], summary: 'Sign in with e-mail and password', body: SignInBody, response: { 200: SessionView, ...errorResponses } },
      handler: async (request, reply) => {
        const session = await deps.sessions.signIn({ email: request.body.email, password: request.body.password, actor: request.actor });
        void reply.setCookie(cookieName, session.token, cookieOptions);
        return { user: view(session.principal), csrfToken: session.csrfToken };
      },
    });

    app.delete('/api/session', {
      config: { access: 'signed-in' },
      schema: { tags: ['session'], summary: 'Sign out: ends the session on the server', response: { 204: Type.Null(), ...errorResponses } },
      handler: async (request, reply) => {
        if (!request.principal) throw new AppError('unauthenticated');
        await deps.sessions.signOut({ principal: request.principal, actor: request.actor });
        void reply.clearCookie(cookieName, { path: '/' });
        return reply.status(204).send(null);
      },
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
        const { token, password, name, email } = request.body;
        await deps.operatorSetup.complete({ token, password, name, email, actor: { ...request.actor, authMethod: 'setup-link' } });
        return reply.status(204).send(null);
      },
    });
  };
}
