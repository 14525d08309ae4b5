import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { errorResponses } from '../../http/schemas.js';
import { principalOf } from '../../http/principal-of.js';
import type { VaultStatusService } from './vault-status-service.js';

const VaultView = Type.Object({
  sealed: Type.Boolean(),
  reason: Type.Optional(Type.String()),
  label: Type.String(),
  activeKekVersion: Type.Union([Type.Integer(), Type.Null()]),
  minDecryptionVersion: Type.Integer(),
  masterVersions: Type.Array(Type.Integer()),
  keks: Type.Array(
    Type.Object({ version: Type.Integer(), masterVersion: Type.Integer(), state: Type.String(), operations: Type.Integer(), dataKeys: Type.Integer() }),
  ),
});

/** The vault as operators see it: sealed or not and why, and which key versions protect what. */
export function vaultStatusRoutes(deps: { vaultStatus: VaultStatusService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/vault', {
      config: { access: 'vault.read' },
      schema: { tags: ['vault'], summary: 'Vault status and key-encryption key versions (operators); never key material', response: { 200: VaultView, ...errorResponses } },
      handler: async (request) => {
        const inspection = await deps.vaultStatus.inspect({ principal: principalOf(request), actor: request.actor });
        return {
          sealed: inspection.sealed,
          ...(inspection.reason === undefined ? {} : { reason: inspection.reason }),
          label: inspection.label,
          activeKekVersion: inspection.activeKekVersion ?? null,
          minDecryptionVersion: inspection.minDecryptionVersion,
          masterVersions: [...inspection.masterVersions],
          keks: inspection.keks.map((k) => ({ version: k.version, masterVersion: k.masterVersion, state: k.state, operations: k.operations, dataKeys: k.dataKeys })),
        };
      },
    });
  };
}
