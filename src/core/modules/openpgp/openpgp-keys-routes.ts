import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { personOf } from '../../http/principal-of.js';
import { errorResponses } from '../../http/schemas.js';
import { OpenPgpKeyBody, OpenPgpKeyState, OpenPgpKeyView } from './openpgp-keys-schemas.js';
import type { OpenPgpKeysService } from './openpgp-keys-service.js';

// The signed-in user's OpenPGP public key (docs/downloads.md "OpenPGP"): downloads can be encrypted
// to it. A person's own setting: API tokens cannot change it (personOf refuses machines).
export function openPgpKeysRoutes(deps: { openPgpKeys: Pick<OpenPgpKeysService, 'get' | 'set' | 'remove'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/me/openpgp-key', {
      config: { access: 'signed-in' },
      schema: { tags: ['profile'], summary: 'Your registered OpenPGP public key (fingerprint, algorithm), or `key: null`', response: { 200: OpenPgpKeyState, ...errorResponses } },
      handler: async (request) => deps.openPgpKeys.get({ principal: personOf(request) }),
    });

    app.put('/api/me/openpgp-key', {
      config: { access: 'signed-in' },
      bodyLimit: 128 * 1024,
      schema: {
        tags: ['profile'],
        summary: 'Register or replace your OpenPGP public key for encrypted downloads (only a public key that can encrypt)',
        body: OpenPgpKeyBody,
        response: { 200: OpenPgpKeyView, ...errorResponses },
      },
      handler: async (request) => deps.openPgpKeys.set({ principal: personOf(request), actor: request.actor, armored: request.body.armored }),
    });

    app.delete('/api/me/openpgp-key', {
      config: { access: 'signed-in' },
      schema: { tags: ['profile'], summary: 'Remove your OpenPGP public key', response: { 204: Type.Null(), ...errorResponses } },
      handler: async (request, reply) => {
        await deps.openPgpKeys.remove({ principal: personOf(request), actor: request.actor });
        return reply.status(204).send(null);
      },
    });
  };
}
