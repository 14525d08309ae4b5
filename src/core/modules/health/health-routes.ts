import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../../shared/errors.js';
import { errorResponses } from '../../http/schemas.js';

export interface Readiness {
  /** Rejects with an AppError (`sealed`, `database_unavailable`) when the service cannot serve keys. */
  check(): Promise<void>;
}

export function healthRoutes(deps: { readiness: Readiness }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/healthz', {
      config: { access: 'public', rateLimit: false },
      schema: { tags: ['health'], summary: 'The process is alive', response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
      handler: async () => ({ status: 'ok' as const }),
    });
    app.get('/readyz', {
      config: { access: 'public', rateLimit: false },
      schema: { tags: ['health'], summary: 'Ready to serve keys: database reachable and vault unsealed', response: { 200: Type.Object({ status: Type.Literal('ready') }), ...errorResponses } },
      handler: async () => {
        await deps.readiness.check().catch((err: unknown) => {
          throw err instanceof AppError ? err : new AppError('database_unavailable', undefined, { cause: err });
        });
        return { status: 'ready' as const };
      },
    });
  };
}
