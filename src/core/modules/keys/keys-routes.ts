import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import type { KeyFetchService } from './key-fetch-service.js';
import type { KeyVersionsService } from './key-versions-service.js';
import { DeviceKeysParams, DeviceKeysView, KeyStateBody, KeyStateParams, KeyVersionView } from './keys-schemas.js';

export function keysRoutes(deps: { keyVersions: Pick<KeyVersionsService, 'transition'>; keyFetch: Pick<KeyFetchService, 'fetch'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The single-device key fetch (docs/api-tokens.md): sessions and API tokens of every kind.
    app.get('/api/devices/:id/keys', {
      config: { access: 'keys.read' },
      schema: {
        tags: ['keys'],
        summary: "A device's active keys (one per key type, hex); audited before the answer leaves",
        params: DeviceKeysParams,
        response: { 200: DeviceKeysView, ...errorResponses },
      },
      handler: async (request, reply) => {
        const view = await deps.keyFetch.fetch({ principal: principalOf(request), actor: request.actor, deviceId: request.params.id });
        return reply.header('cache-control', 'no-store').send(view);
      },
    });

    app.post('/api/devices/:deviceId/keys/:keyId/state', {
      config: { access: 'keys.manage' },
      schema: {
        tags: ['keys'],
        summary: 'Move a key version to another SP 800-57 state (operators); destroying it erases the key',
        params: KeyStateParams,
        body: KeyStateBody,
        response: { 200: KeyVersionView, ...errorResponses, 409: Type.Ref('ErrorBody') },
      },
      handler: async (request) => {
        const { deviceId, keyId } = request.params;
        return deps.keyVersions.transition({ principal: principalOf(request), actor: request.actor, deviceId, keyId, to: request.body.state, reason: request.body.reason });
      },
    });
  };
}
