import { open, seal } from '../../../lib/crypto/aead.js';
import type { WrappedKey } from './provider.js';

// Master key versions held in process memory (file: and env: providers). The bytes never leave
// this object: callers get wrap/unwrap, not keys.

export interface LocalKeyRing {
  versions(): number[];
  current(): number | undefined;
  has(version: number): boolean;
  /**
   * Adds copies of versions not yet known; false (and nothing added) if a known version has
   * different bytes. Never changes `keys`: the caller wipes them.
   */
  merge(keys: Map<number, Buffer>): boolean;
  wrap(version: number, key: Buffer, aad: Buffer): WrappedKey;
  unwrap(version: number, nonce: Buffer, ciphertext: Buffer, aad: Buffer): Buffer | null;
  wipe(): void;
}

/** Takes ownership of `initial`: its buffers are wiped by wipe(). */
export function createLocalKeyRing(initial: Map<number, Buffer>): LocalKeyRing {
  const keys = new Map(initial);
  const keyOf = (version: number): Buffer => {
    const key = keys.get(version);
    if (key === undefined) throw new RangeError(`master key version ${version} is not loaded`);
    return key;
  };
  return {
    versions: () => [...keys.keys()].sort((a, b) => a - b),
    current: () => (keys.size === 0 ? undefined : Math.max(...keys.keys())),
    has: (version) => keys.has(version),
    merge(incoming) {
      for (const [version, key] of incoming) {
        const known = keys.get(version);
        if (known !== undefined && !known.equals(key)) return false;
      }
      for (const [version, key] of incoming) if (!keys.has(version)) keys.set(version, Buffer.from(key));
      return true;
    },
    wrap: (version, key, aad) => seal(keyOf(version), key, aad),
    unwrap: (version, nonce, ciphertext, aad) => (keys.has(version) ? open(keyOf(version), nonce, ciphertext, aad) : null),
    wipe() {
      for (const key of keys.values()) key.fill(0);
      keys.clear();
    },
  };
}
