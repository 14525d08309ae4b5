import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { requirePermission } from '../auth/permissions.js';
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
        requirePermission(request.principal?.roles ?? [], 'settings.manage');
        return { profile: await deps.settings.setPasswordProfile({ profile: request.body.profile, actor: request.actor }) };
      },
    });
  };
}
