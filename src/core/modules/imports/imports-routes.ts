import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ImportService } from './import-service.js';

export function importsRoutes(deps: { imports: ImportService }): FastifyPluginAsyncTypebox {
  void deps;
  return async () => undefined;
}
