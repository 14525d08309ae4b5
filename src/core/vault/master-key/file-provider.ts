import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import type { Stats } from 'node:fs';
import { mkdir, open as openFile, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createLocalKeyRing, type LocalKeyRing } from './local-key-ring.js';
import { formatKeyFile, MASTER_KEY_BYTES, MAX_MASTER_VERSION, parseKeyFile } from './key-file.js';
import type { MasterKeyProvider, ProviderOpen } from './provider.js';

// file:PATH — the key ring in a local file of mode 0600 (format in key-file.ts). The file is
// created only when the vault is empty; a missing file under an existing vault seals it, because
// a new key could never open the KEKs already stored.

const MAX_FILE_BYTES = 64 * 1024;

type Loaded = { ok: true; keys: Map<number, Buffer> } | { ok: false; reason: string };

function wipe(keys: Map<number, Buffer>): void {
  for (const key of keys.values()) key.fill(0);
}

function errnoOf(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

export function createFileProvider(path: string): MasterKeyProvider {
  const label = `file:${path}`;
  const subject = `master key file ${path}`;
  let ring: LocalKeyRing | undefined;

  async function load(): Promise<Loaded> {
    let info: Stats;
    try {
      info = await stat(path);
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return { ok: false, reason: `${subject} is missing` };
      return { ok: false, reason: `${subject} cannot be read (${errnoOf(err) ?? 'error'})` };
    }
    if (!info.isFile()) return { ok: false, reason: `${subject} is not a regular file` };
    // Group or other bits set means someone else may read (or replace) the root of all keys.
    if ((info.mode & 0o077) !== 0) {
      const mode = (info.mode & 0o777).toString(8).padStart(4, '0');
      return { ok: false, reason: `${subject} has mode ${mode}; it must not be accessible by group or others (chmod 600)` };
    }
    if (info.size > MAX_FILE_BYTES) return { ok: false, reason: `${subject} is larger than ${MAX_FILE_BYTES} bytes` };
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      return { ok: false, reason: `${subject} cannot be read (${errnoOf(err) ?? 'error'})` };
    }
    const parsed = parseKeyFile(text);
    return parsed.ok ? parsed : { ok: false, reason: `${subject}: ${parsed.problem}` };
  }

  /** Writes the whole ring to a fresh 0600 file and renames it into place (atomic on POSIX). */
  async function write(keys: Map<number, Buffer>, exclusive: boolean): Promise<void> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 });
    const target = exclusive ? path : `${path}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await openFile(target, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(formatKeyFile(keys), 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (!exclusive) {
      try {
        await rename(target, path);
      } catch (err) {
        await unlink(target).catch(() => undefined);
        throw err;
      }
    }
  }

  async function open(options: { createIfMissing: boolean }): Promise<ProviderOpen> {
    let loaded = await load();
    if (!loaded.ok && options.createIfMissing && loaded.reason === `${subject} is missing`) {
      try {
        // O_EXCL: if another instance creates the file at the same moment, we read its key.
        await write(new Map([[1, randomBytes(MASTER_KEY_BYTES)]]), true);
      } catch (err) {
        if (errnoOf(err) !== 'EEXIST') return { ok: false, reason: `${subject} cannot be created (${errnoOf(err) ?? 'error'})` };
      }
      loaded = await load();
    }
    if (!loaded.ok) return loaded;
    ring?.wipe();
    ring = createLocalKeyRing(loaded.keys);
    return { ok: true };
  }

  function opened(): LocalKeyRing {
    if (ring === undefined) throw new Error(`${label} is not open`);
    return ring;
  }

  return {
    label,
    canCreateVersions: true,
    open,
    versions: () => ring?.versions() ?? [],
    currentVersion: () => ring?.current(),
    async hasVersion(version) {
      const current = opened();
      if (current.has(version)) return true;
      // Another instance may have rotated: take versions it appended, never changed ones.
      const loaded = await load();
      if (loaded.ok) {
        current.merge(loaded.keys);
        wipe(loaded.keys);
      }
      return current.has(version);
    },
    wrap: async ({ version, key, aad }) => opened().wrap(version, key, aad),
    unwrap: async ({ version, nonce, ciphertext, aad }) => opened().unwrap(version, nonce, ciphertext, aad),
    async createVersion() {
      const current = opened();
      const loaded = await load();
      if (!loaded.ok) throw new Error(loaded.reason);
      // The file is the source of truth: keep every version in it, add one after the highest.
      const keys = loaded.keys;
      try {
        if (!current.merge(keys)) throw new Error(`${subject} no longer holds the versions loaded at start`);
        const next = Math.max(0, ...current.versions()) + 1;
        if (next > MAX_MASTER_VERSION) throw new Error(`${subject} has no free version number`);
        keys.set(next, randomBytes(MASTER_KEY_BYTES));
        await write(keys, false);
        const reread = await load();
        if (!reread.ok) throw new Error(reread.reason);
        const kept = current.merge(reread.keys);
        wipe(reread.keys);
        if (!kept || !current.has(next)) throw new Error(`${subject} did not keep version ${next}`);
        return next;
      } finally {
        wipe(keys);
      }
    },
    async close() {
      ring?.wipe();
      ring = undefined;
    },
  };
}
