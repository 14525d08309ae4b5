import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { TelegramCheckService } from './telegram-check-service.js';

export function telegramCheckRoutes(deps: { telegramCheck: TelegramCheckService }): FastifyPluginAsyncTypebox {
  void deps;
  return async () => undefined;
}
