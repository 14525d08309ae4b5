import type { MasterKeySpec } from '../../../lib/master-key-spec.js';
import { createEnvProvider } from './env-provider.js';
import { createFileProvider } from './file-provider.js';
import { createPkcs11Provider } from './pkcs11-provider.js';
import { type MasterKeyProvider, unusableProvider } from './provider.js';

export type { MasterKeyProvider, ProviderOpen, WrappedKey } from './provider.js';

/**
 * The provider for OPENEKS_MASTER_KEY, parsed at start-up (src/lib/master-key-spec.ts; docs/crypto.md).
 * Nothing is read yet: the vault calls open() once it knows whether the vault is empty. An
 * unusable spec gives a provider that reports why, so the service starts sealed instead of crashing.
 */
export async function openMasterKeyProvider(spec: MasterKeySpec): Promise<MasterKeyProvider> {
  switch (spec.kind) {
    case 'file':
      return createFileProvider(spec.path);
    case 'env':
      return createEnvProvider(spec.keys, spec.variable);
    case 'pkcs11':
      return createPkcs11Provider(spec.spec, spec.envPin);
    case 'unusable':
      return unusableProvider(spec.label, spec.reason);
  }
}
