import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeVaultContract } from '../../../test/support/vault-contract.js';
import { parseMasterKeySpec } from '../../lib/master-key-spec.js';
import { openMasterKeyProvider } from './master-key/index.js';

// The vault contract against the providers that keep the master key in the process: a key file
// (which can add versions) and the environment (which cannot).

describeVaultContract('file: provider', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'openeks-vault-file-'));
  const main = join(dir, 'keys', 'master.key');
  const other = join(dir, 'other', 'master.key');
  return {
    open: () => openMasterKeyProvider({ kind: 'file', path: main }),
    async openOther() {
      // Give the other file a key of its own before the vault sees it.
      const provider = await openMasterKeyProvider({ kind: 'file', path: other });
      await provider.open({ createIfMissing: true });
      await provider.close();
      return openMasterKeyProvider({ kind: 'file', path: other });
    },
    canCreateVersions: true,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

describeVaultContract('env: provider', async () => {
  const key = randomBytes(32).toString('base64');
  const otherKey = randomBytes(32).toString('base64');
  return {
    open: () => openMasterKeyProvider(parseMasterKeySpec(`env:${key}`)),
    openOther: () => openMasterKeyProvider(parseMasterKeySpec(`env:${otherKey}`)),
    canCreateVersions: false,
    cleanup: async () => undefined,
  };
});
