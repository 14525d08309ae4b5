import { createEnvProvider } from './env-provider.js';
import { createFileProvider } from './file-provider.js';
import { createPkcs11Provider } from './pkcs11-provider.js';
import { parsePkcs11Spec } from './pkcs11-spec.js';
import { type MasterKeyProvider, type ProviderOptions, unusableProvider } from './provider.js';

export type { MasterKeyProvider, ProviderOpen, ProviderOptions, WrappedKey } from './provider.js';

/**
 * The provider named by OPENEKS_MASTER_KEY: `file:PATH`, `env:BASE64` / `env:v2=B64,v1=B64` or
 * `pkcs11:module=…;token=…;pin=env:NAME|file:PATH[;label=…]` (docs/crypto.md). Nothing is read
 * yet: the vault calls open() once it knows whether the vault is empty. An unusable spec gives a
 * provider that reports why, so the service starts sealed instead of crashing.
 */
export async function openMasterKeyProvider(spec: string, options: ProviderOptions = {}): Promise<MasterKeyProvider> {
  const env = options.env ?? {};
  if (spec.startsWith('file:')) {
    const path = spec.slice('file:'.length);
    return path === '' ? unusableProvider('file:', 'master key file: the path is empty') : createFileProvider(path);
  }
  if (spec.startsWith('env:')) return createEnvProvider(spec.slice('env:'.length), options.variable ?? 'OPENEKS_MASTER_KEY');
  if (spec.startsWith('pkcs11:')) {
    const parsed = parsePkcs11Spec(spec);
    return parsed.ok ? createPkcs11Provider(parsed.spec, env) : unusableProvider('pkcs11:', `master key pkcs11: spec: ${parsed.problem}`);
  }
  // Never echo the spec: it may be a key given with the wrong prefix.
  return unusableProvider('unknown', 'OPENEKS_MASTER_KEY must be file:PATH, env:BASE64 or pkcs11:…');
}
