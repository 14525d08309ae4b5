import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { Vault } from '../../vault/vault-service.js';

/**
 * The key vault's state as operators see it (`vault.read`): sealed or not and why, and which key
 * versions protect what. Never key material. The vault itself lives in src/core/vault/.
 */
export function createVaultStatusService(deps: { vault: Pick<Vault, 'inspect'>; guard: AccessGuard }) {
  return {
    async inspect({ principal, actor }: { principal: Principal; actor: Actor }) {
      await deps.guard.require(principal, actor, 'vault.read');
      return deps.vault.inspect();
    },
  };
}

export type VaultStatusService = ReturnType<typeof createVaultStatusService>;
