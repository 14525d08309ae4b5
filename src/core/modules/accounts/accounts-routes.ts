import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../http/schemas.js';
import { SessionView } from '../auth/auth-schemas.js';
import { personOf, principalOf } from '../../http/principal-of.js';
import { sessionCookie } from '../../http/session-cookie.js';
import type { NewSession } from '../auth/session-service.js';
import {
  AcceptedView,
  LinkBody,
  LinkView,
  PasswordChangeBody,
  PasswordResetCompleteBody,
  PasswordResetRequestBody,
  ProfileUpdateBody,
  ProfileView,
  RegistrationBody,
  RegistrationCompleteBody,
  ResetLinkView,
  UserIdParams,
} from './accounts-schemas.js';
import type { PasswordResetService } from './password-reset-service.js';
import type { ProfileService } from './profile-service.js';
import type { RegistrationService } from './registration-service.js';

const accepted = { status: 'accepted' as const };
const gone = { 410: Type.Ref('ErrorBody') };

/**
 * Account self-service: registration, forgot password, the profile, and the operators' "send a
 * reset link". The services decide; these handlers only translate HTTP.
 */
export function accountsRoutes(deps: {
  registration: RegistrationService;
  passwordResets: PasswordResetService;
  profile: ProfileService;
  https: boolean;
  /** Requests per minute and IP on the routes that check a link or a password. */
  authRateLimit: number;
  /** Requests per 15 minutes and IP on the routes that send mail (on top of the per-address limit). */
  mailRateLimit: number;
}): FastifyPluginAsyncTypebox {
  // The session cookie exactly as sign-in sets it.
  const cookie = sessionCookie(deps.https);
  const authLimit = { max: deps.authRateLimit, timeWindow: '1 minute' };
  const mailLimit = { max: deps.mailRateLimit, timeWindow: '15 minutes' };
  const sessionBody = (session: NewSession) => ({
    user: { id: session.principal.userId, email: session.principal.email, name: session.principal.name, roles: session.principal.roles, language: session.principal.language },
    csrfToken: session.csrfToken,
  });

  return async (app) => {
    app.post('/api/registrations', {
      config: { access: 'public', rateLimit: mailLimit },
      schema: {
        tags: ['registration'],
        summary: 'Register an e-mail address: mails an activation link (or, to an existing account, a pointer to reset). The same answer for every address.',
        body: RegistrationBody,
        response: { 202: AcceptedView, ...errorResponses },
      },
      handler: async (request, reply) => {
        await deps.registration.request({ email: request.body.email, ...(request.body.language ? { language: request.body.language } : {}), actor: request.actor });
        return reply.status(202).send(accepted);
      },
    });

    app.post('/api/registrations/inspect', {
      config: { access: 'public', rateLimit: authLimit },
      schema: { tags: ['registration'], summary: 'The e-mail an activation link belongs to', body: LinkBody, response: { 200: LinkView, ...errorResponses, ...gone } },
      handler: async (request) => deps.registration.inspect(request.body.token),
    });

    app.post('/api/registrations/complete', {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['registration'],
        summary: 'Complete a registration through its activation link: name, password; signs the new user in',
        body: RegistrationCompleteBody,
        response: { 200: SessionView, ...errorResponses, ...gone },
      },
      handler: async (request, reply) => {
        const { token, password, name } = request.body;
        const session = await deps.registration.complete({ token, password, name: name ?? null, actor: request.actor });
        void reply.setCookie(cookie.name, session.token, cookie.options);
        return sessionBody(session);
      },
    });

    app.post('/api/password-resets', {
      config: { access: 'public', rateLimit: mailLimit },
      schema: {
        tags: ['password reset'],
        summary: 'Forgot password: mails a single-use reset link (1 hour). The same answer for every address.',
        body: PasswordResetRequestBody,
        response: { 202: AcceptedView, ...errorResponses },
      },
      handler: async (request, reply) => {
        await deps.passwordResets.request({ email: request.body.email, actor: request.actor });
        return reply.status(202).send(accepted);
      },
    });

    app.post('/api/password-resets/inspect', {
      config: { access: 'public', rateLimit: authLimit },
      schema: { tags: ['password reset'], summary: 'The account a reset link belongs to (e-mail and name)', body: LinkBody, response: { 200: ResetLinkView, ...errorResponses, ...gone } },
      handler: async (request) => deps.passwordResets.inspect(request.body.token),
    });

    app.post('/api/password-resets/complete', {
      config: { access: 'public', rateLimit: authLimit },
      schema: {
        tags: ['password reset'],
        summary: 'Set a new password through a reset link; ends every session of the user (sign in afterwards)',
        body: PasswordResetCompleteBody,
        response: { 204: Type.Null(), ...errorResponses, ...gone },
      },
      handler: async (request, reply) => {
        await deps.passwordResets.complete({ token: request.body.token, password: request.body.password, actor: request.actor });
        return reply.status(204).send(null);
      },
    });

    app.post('/api/users/:id/password-reset', {
      config: { access: 'users.manage' },
      schema: {
        tags: ['users'],
        summary: 'Operators: mail a password reset link to a user (never sets or shows a password)',
        params: UserIdParams,
        response: { 204: Type.Null(), ...errorResponses, 409: Type.Ref('ErrorBody') },
      },
      handler: async (request, reply) => {
        await deps.passwordResets.sendByOperator({ principal: principalOf(request), userId: request.params.id, actor: request.actor });
        return reply.status(204).send(null);
      },
    });

    app.get('/api/me', {
      config: { access: 'signed-in' },
      schema: { tags: ['profile'], summary: 'The signed-in user’s profile', response: { 200: ProfileView, ...errorResponses } },
      handler: async (request) => deps.profile.get(personOf(request)),
    });

    app.patch('/api/me', {
      config: { access: 'signed-in' },
      schema: { tags: ['profile'], summary: 'Change your name or language', body: ProfileUpdateBody, response: { 200: ProfileView, ...errorResponses } },
      handler: async (request) =>
        deps.profile.update({
          principal: personOf(request),
          ...(request.body.name !== undefined ? { name: request.body.name } : {}),
          ...(request.body.language !== undefined ? { language: request.body.language } : {}),
          actor: request.actor,
        }),
    });

    app.put('/api/me/password', {
      config: { access: 'signed-in', rateLimit: authLimit },
      schema: {
        tags: ['profile'],
        summary: 'Change your password (needs the current one); ends your other sessions',
        body: PasswordChangeBody,
        response: { 204: Type.Null(), ...errorResponses },
      },
      handler: async (request, reply) => {
        const { currentPassword, newPassword } = request.body;
        await deps.profile.changePassword({ principal: personOf(request), currentPassword, newPassword, actor: request.actor });
        return reply.status(204).send(null);
      },
    });
  };
}

