import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/core/db/database.js';
import { openMasterKeyProvider } from '../../src/core/vault/master-key/index.js';
import { createVault, type Vault } from '../../src/core/vault/vault-service.js';
import { parseMasterKeySpec } from '../../src/lib/master-key-spec.js';
import { systemClock } from '../../src/lib/clock.js';

/** An unsealed vault on a test database with a random master key, for services built by hand. */
export async function openTestVault(db: Db): Promise<{ vault: Vault; close(): Promise<void> }> {
  const provider = await openMasterKeyProvider(parseMasterKeySpec(`env:${randomBytes(32).toString('base64')}`));
  const vault = createVault({ db, clock: systemClock, provider });
  const status = await vault.init();
  if (status.sealed) throw new Error(`the test vault is sealed: ${status.reason ?? ''}`);
  return {
    vault,
    async close() {
      await vault.close();
      await provider.close();
    },
  };
}
