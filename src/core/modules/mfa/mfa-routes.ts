import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { SessionView } from '../auth/auth-schemas.js';
import { personOf } from '../../http/principal-of.js';
import { sessionCookie } from '../../http/session-cookie.js';
import { sessionView } from '../../http/session-view.js';
import { errorResponses } from '../../http/schemas.js';
import { ConfirmBody, ConfirmView, DisableBody, EnrolBody, EnrolmentView, MfaStatusView, SecondFactorBody } from './mfa-schemas.js';
import type { MfaService } from './mfa-service.js';
import { ReauthBody } from '../../../shared/api/exports.js';

const conflict = { 409: Type.Ref('ErrorBody') };

export function mfaRoutes(deps: { mfa: MfaService; https: boolean; authRateLimit: number }): FastifyPluginAsyncTypebox {
  const cookie = sessionCookie(deps.https);
  const authLimit = { max: deps.authRateLimit, timeWindow: '1 minute' };

  return async (app) => {
    app.post('/api/session/mfa', {
      config: { access: 'signed-in', allowStages: ['mfa'], rateLimit: authLimit },
      schema: {
        tags: ['session'],
        summary: 'The second sign-in step: a code from the authenticator app or a recovery code. Replaces the session by a fresh one (new cookie and CSRF token).',
        body: SecondFactorBody,
        response: { 200: SessionView, ...errorResponses, ...conflict },
      },
      handler: async (request, reply) => {
        const body = request.body;
        const session = await deps.mfa.verifySignIn({
          principal: personOf(request),
          ...('code' in body ? { code: body.code } : { recoveryCode: body.recoveryCode }),
          actor: request.actor,
        });
        void reply.setCookie(cookie.name, session.token, cookie.options);
        return sessionView(session.principal, session.csrfToken);
      },
    });

    app.post('/api/session/reauth', {
      config: { access: 'signed-in', rateLimit: authLimit },
      schema: {
        tags: ['session'],
        summary: 'Step-up: prove the password (and a current code, where two-factor sign-in is on) again; a download of keys needs one within the last 5 minutes',
        body: ReauthBody,
        response: { 204: Type.Null(), ...errorResponses },
      },
      handler: async (request, reply) => {
        await deps.mfa.reauth({ principal: personOf(request), password: request.body.password, code: request.body.code, actor: request.actor });
        return reply.status(204).send(null);
      },
    });

    app.get('/api/me/mfa', {
      config: { access: 'signed-in', allowStages: ['enrol'] },
      schema: { tags: ['two-factor sign-in'], summary: 'Whether two-factor sign-in is on, required, and how many recovery codes are left', response: { 200: MfaStatusView, ...errorResponses } },
      handler: async (request) => deps.mfa.status({ principal: personOf(request) }),
    });

    app.post('/api/me/mfa/totp', {
      config: { access: 'signed-in', allowStages: ['enrol'], rateLimit: authLimit },
      schema: {
        tags: ['two-factor sign-in'],
        summary: 'Start setting up an authenticator app: a new secret, its otpauth URI and QR code (replaces an unconfirmed one)',
        body: EnrolBody,
        response: { 200: EnrolmentView, ...errorResponses, ...conflict },
      },
      handler: async (request) => deps.mfa.beginEnrolment({ principal: personOf(request), password: request.body.password, actor: request.actor }),
    });

    app.post('/api/me/mfa/totp/confirm', {
      config: { access: 'signed-in', allowStages: ['enrol'], rateLimit: authLimit },
      schema: {
        tags: ['two-factor sign-in'],
        summary: 'Confirm the set-up with a code from the app: returns 10 recovery codes (shown once) and replaces the session by a fresh one',
        body: ConfirmBody,
        response: { 200: ConfirmView, ...errorResponses, ...conflict },
      },
      handler: async (request, reply) => {
        const { recoveryCodes, session } = await deps.mfa.confirmEnrolment({ principal: personOf(request), code: request.body.code, actor: request.actor });
        void reply.setCookie(cookie.name, session.token, cookie.options);
        return { recoveryCodes, csrfToken: session.csrfToken, stage: session.principal.stage };
      },
    });

    app.delete('/api/me/mfa/totp', {
      config: { access: 'signed-in', rateLimit: authLimit },
      schema: {
        tags: ['two-factor sign-in'],
        summary: 'Switch two-factor sign-in off (accounts that may go without it): needs the password and a current code',
        body: DisableBody,
        response: { 204: Type.Null(), ...errorResponses, ...conflict },
      },
      handler: async (request, reply) => {
        await deps.mfa.disable({ principal: personOf(request), password: request.body.password, code: request.body.code, actor: request.actor });
        return reply.status(204).send(null);
      },
    });
  };
}
