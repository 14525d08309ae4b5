import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import type { KeyVersionsService } from './key-versions-service.js';
import { KeyStateBody, KeyStateParams, KeyVersionView } from './keys-schemas.js';

export function keysRoutes(deps: { keyVersions: Pick<KeyVersionsService, 'transition'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
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
