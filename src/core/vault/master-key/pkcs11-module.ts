import type * as Pkcs11 from 'pkcs11js';

// A PKCS#11 library is initialised once per process (a second C_Initialize fails with
// CKR_CRYPTOKI_ALREADY_INITIALIZED), so providers share it through a reference count and the
// last one out finalises it. Loading is lazy: file: and env: users never load the native addon.

export type Pkcs11Api = typeof Pkcs11;

export interface Pkcs11Module {
  api: Pkcs11Api;
  lib: Pkcs11.PKCS11;
  release(): void;
}

interface Entry {
  api: Pkcs11Api;
  lib: Pkcs11.PKCS11;
  refs: number;
  /** False if someone else in this process initialised the library: then they finalise it. */
  owns: boolean;
}

const modules = new Map<string, Entry>();

async function loadApi(): Promise<Pkcs11Api> {
  const imported = await import('pkcs11js');
  return imported.default;
}

export function pkcs11ErrorName(err: unknown): string {
  // pkcs11js reports "CKR_PIN_INCORRECT" and the like; anything else is summarised, not echoed.
  const message = err instanceof Error ? err.message : '';
  return /^CKR_[A-Z0-9_]{1,64}$/.test(message) ? message : 'PKCS#11 error';
}

export async function acquireModule(path: string): Promise<Pkcs11Module> {
  let entry = modules.get(path);
  if (entry === undefined) {
    const api = await loadApi();
    const lib = new api.PKCS11();
    lib.load(path);
    let owns = true;
    try {
      lib.C_Initialize();
    } catch (err) {
      if (pkcs11ErrorName(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
        lib.close();
        throw err;
      }
      owns = false;
    }
    entry = { api, lib, refs: 0, owns };
    modules.set(path, entry);
  }
  entry.refs += 1;
  const held = entry;
  let released = false;
  return {
    api: held.api,
    lib: held.lib,
    release() {
      if (released) return;
      released = true;
      held.refs -= 1;
      if (held.refs > 0) return;
      modules.delete(path);
      if (held.owns) {
        try {
          held.lib.C_Finalize();
        } catch {
          // Finalising a library that is going away anyway: nothing to recover.
        }
      }
      held.lib.close();
    },
  };
}
