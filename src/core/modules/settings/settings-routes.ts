import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import { PasswordPolicyBody, PasswordPolicyView } from './settings-schemas.js';
import type { SettingsService } from './settings-service.js';

export function settingsRoutes(deps: { settings: Pick<SettingsService, 'getPasswordProfile' | 'setPasswordProfile'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Public: the registration and reset pages show the policy before anyone is signed in.
    app.get('/api/settings/password-policy', {
      config: { access: 'public' },
      schema: { tags: ['settings'], summary: 'The active password policy profile', response: { 200: PasswordPolicyView, ...errorResponses } },
      handler: async () => ({ profile: await deps.settings.getPasswordProfile() }),
    });

    app.put('/api/settings/password-policy', {
      config: { access: 'settings.manage' },
      schema: {
        tags: ['settings'],
        summary: 'Switch the password policy profile (operators); applies to passwords set from now on',
        body: PasswordPolicyBody,
        response: { 200: PasswordPolicyView, ...errorResponses },
      },
      handler: async (request) => {
        return { profile: await deps.settings.setPasswordProfile({ principal: principalOf(request), actor: request.actor, profile: request.body.profile }) };
      },
    });
  };
}
