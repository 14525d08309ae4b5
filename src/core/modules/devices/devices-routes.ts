import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { DevicesService } from './devices-service.js';

export function devicesRoutes(deps: { devices: DevicesService }): FastifyPluginAsyncTypebox {
  void deps;
  return async () => undefined;
}
