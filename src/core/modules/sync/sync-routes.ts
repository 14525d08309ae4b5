import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import { SyncAnswerView, SyncQuery } from './sync-schemas.js';
import type { SyncService } from './sync-service.js';

// The key sync (docs/key-sync.md; PRODUCT.md flow 10): gateway and concentrator tokens only (`keys.sync`);
// a session or a read token gets 404 like any missing permission. The body is sent as the exact
// bytes the signature covers.
export function syncRoutes(deps: { sync: Pick<SyncService, 'sync'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/sync/keys', {
      config: { access: 'keys.sync' },
      schema: {
        tags: ['key sync'],
        summary: 'The keys this gateway or concentrator token may read: all of them, or (since a cursor) what changed',
        querystring: SyncQuery,
        response: { 200: SyncAnswerView, ...errorResponses },
      },
      handler: async (request, reply) => {
        const answer = await deps.sync.sync({ principal: principalOf(request), actor: request.actor, since: request.query.since });
        reply.header('content-type', answer.contentType).header('openeks-signature', answer.signature).header('cache-control', 'no-store');
        return reply.send(answer.body);
      },
    });
  };
}
