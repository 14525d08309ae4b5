import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { requirePermission } from '../auth/permissions.js';
import { deviceScopeOf } from '../devices/device-scope.js';
import { TelegramCheckBody, TelegramCheckView } from './telegram-check-schemas.js';
import type { TelegramCheckService } from './telegram-check-service.js';

export function telegramCheckRoutes(deps: { telegramCheck: TelegramCheckService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/telegram-checks', {
      config: { access: 'telegram.check' },
      schema: {
        tags: ['telegram check'],
        summary: "Check a wireless M-Bus telegram against its device's stored key",
        description:
          'Finds the device by the address the key belongs to (among the devices visible to you) and tries its active DEK, then the byte-reversed key. ' +
          'Every answer is an outcome; `no-device` also for devices that exist but are not visible to you.',
        body: TelegramCheckBody,
        response: { 200: TelegramCheckView, ...errorResponses },
      },
      handler: async (request) => {
        requirePermission(request.principal?.roles ?? [], 'telegram.check');
        const scope = await deviceScopeOf(request.principal);
        return deps.telegramCheck.check({ telegram: request.body.telegram, scope, actor: request.actor });
      },
    });
  };
}
