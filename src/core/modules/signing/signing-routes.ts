import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { AppError } from '../../../shared/errors.js';
import { errorResponses } from '../../http/schemas.js';
import type { SigningKeys } from './signing-keys.js';

// The public half of the service's signing key, for anyone who verifies a download or a key-sync
// answer (docs/downloads.md). Public: it is no secret, and a verifier holds no account.
export function signingRoutes(deps: { signingKeys: Pick<SigningKeys, 'publicKey'> }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/.well-known/openeks-signing-key', {
      config: { access: 'public' },
      schema: {
        tags: ['signing'],
        summary: "The service's Ed25519 public key (SPKI PEM) that signs downloads and key-sync answers",
        produces: ['application/x-pem-file'],
        response: { 200: Type.String({ description: 'SPKI PEM' }), ...errorResponses },
      },
      handler: async (_request, reply) => {
        const key = await deps.signingKeys.publicKey();
        if (!key) throw new AppError('not_found', 'The service has no signing key yet: it is made at the first start with an unsealed vault.');
        reply.header('Content-Type', 'application/x-pem-file; charset=utf-8');
        reply.header('OpenEKS-Signing-Key-Id', key.keyId);
        reply.header('Cache-Control', 'public, max-age=300');
        return key.pem;
      },
    });
  };
}
