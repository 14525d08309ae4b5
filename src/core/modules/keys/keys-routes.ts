import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { KeyVersionsService } from './key-versions-service.js';

export function keysRoutes(deps: { keyVersions: KeyVersionsService }): FastifyPluginAsyncTypebox {
  void deps;
  return async () => undefined;
}
