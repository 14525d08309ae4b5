// The master (root) key sits at the top of the hierarchy: it only wraps KEKs (docs/crypto.md).
// Every provider behind this interface keeps its key material to itself; the vault hands it a
// 32-byte KEK and associated data and gets back nonce + ciphertext, or the reverse.

export type ProviderOpen = { ok: true } | { ok: false; reason: string };

export interface WrappedKey {
  nonce: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  ciphertext: Buffer;
}

export interface MasterKeyProvider {
  /** Where the key lives, safe to print and log (`file:./data/master.key`); never key bytes. */
  readonly label: string;
  /** file: and pkcs11: can add key versions for rotation; env: cannot (the operator edits it). */
  readonly canCreateVersions: boolean;
  /**
   * Loads the key versions. A problem (missing, unreadable, wrong mode, wrong length, token
   * absent, login refused) is a value naming the label, never an exception: the vault seals.
   * `createIfMissing` is true only on the first boot of an empty vault, so an existing vault is
   * never given a fresh key because its key went missing.
   */
  open(options: { createIfMissing: boolean }): Promise<ProviderOpen>;
  /** Known versions, ascending. Empty until open() succeeded. */
  versions(): readonly number[];
  /** The newest version: the one new KEKs are wrapped with. */
  currentVersion(): number | undefined;
  /** True if the version exists, reloading from the source once if it is not known yet. */
  hasVersion(version: number): Promise<boolean>;
  wrap(input: { version: number; key: Buffer; aad: Buffer }): Promise<WrappedKey>;
  /** null when the material does not authenticate under this version (wrong key, tampering). */
  unwrap(input: { version: number; nonce: Buffer; ciphertext: Buffer; aad: Buffer }): Promise<Buffer | null>;
  /** Adds the next version and makes it current. Throws if the provider cannot. */
  createVersion(): Promise<number>;
  /** Forgets key material and releases handles. */
  close(): Promise<void>;
}

/** A provider that never opens: a spec that cannot be used still gives the vault a label. */
export function unusableProvider(label: string, reason: string): MasterKeyProvider {
  return {
    label,
    canCreateVersions: false,
    open: async () => ({ ok: false, reason }),
    versions: () => [],
    currentVersion: () => undefined,
    hasVersion: async () => false,
    wrap: async () => {
      throw new Error(reason);
    },
    unwrap: async () => null,
    createVersion: async () => {
      throw new Error(reason);
    },
    close: async () => undefined,
  };
}
