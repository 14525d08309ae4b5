import { createLocalKeyRing, type LocalKeyRing } from './local-key-ring.js';
import { parseKeyList } from './key-file.js';
import type { Secret } from '../../../lib/secret.js';
import type { MasterKeyProvider } from './provider.js';

// env:BASE64 or env:v2=BASE64,v1=BASE64 — the key ring inside the variable itself. The label
// names the variable, never its value. Versions are added by the operator (redeploy with the
// new list), so this provider cannot create them. The list stays wrapped until open() parses it.

export function createEnvProvider(keys: Secret<string>, variable: string): MasterKeyProvider {
  const label = `env:${variable}`;
  let ring: LocalKeyRing | undefined;

  function opened(): LocalKeyRing {
    if (ring === undefined) throw new Error(`${label} is not open`);
    return ring;
  }

  return {
    label,
    canCreateVersions: false,
    async open() {
      const parsed = parseKeyList(keys.reveal());
      if (!parsed.ok) return { ok: false, reason: `master key ${label}: ${parsed.problem}` };
      ring?.wipe();
      ring = createLocalKeyRing(parsed.keys);
      return { ok: true };
    },
    versions: () => ring?.versions() ?? [],
    currentVersion: () => ring?.current(),
    hasVersion: async (version) => opened().has(version),
    wrap: async ({ version, key, aad }) => opened().wrap(version, key, aad),
    unwrap: async ({ version, nonce, ciphertext, aad }) => opened().unwrap(version, nonce, ciphertext, aad),
    async createVersion() {
      throw new Error(`master key ${label} cannot create versions; add one to the variable (v2=…,v1=…) and restart`);
    },
    async close() {
      ring?.wipe();
      ring = undefined;
    },
  };
}
