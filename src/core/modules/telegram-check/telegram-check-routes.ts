import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
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
        return deps.telegramCheck.check({ principal: principalOf(request), actor: request.actor, telegram: request.body.telegram });
      },
    });
  };
}
