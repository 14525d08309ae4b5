import { readFile, stat } from 'node:fs/promises';
import type { PinSource } from '../../../lib/pkcs11-spec.js';
import type { Secret } from '../../../lib/secret.js';

// The PIN of a `pkcs11:` spec, at the moment the provider logs in. `pin=env:NAME` was read with
// the rest of the environment (src/lib/master-key-spec.ts) and arrives as a Secret; `pin=file:PATH`
// is read here, and only from a file nobody else may read.

export type PinResult = { ok: true; pin: string } | { ok: false; problem: string };

export async function resolvePin(source: PinSource, envPin: Secret<string> | undefined): Promise<PinResult> {
  if (source.kind === 'env') {
    const pin = envPin?.reveal();
    return pin === undefined || pin === '' ? { ok: false, problem: `the PIN variable ${source.name} is not set` } : { ok: true, pin };
  }
  try {
    const info = await stat(source.path);
    if (!info.isFile()) return { ok: false, problem: `the PIN file ${source.path} is not a regular file` };
    if ((info.mode & 0o077) !== 0) return { ok: false, problem: `the PIN file ${source.path} must not be accessible by group or others (chmod 600)` };
    const pin = (await readFile(source.path, 'utf8')).replace(/\r?\n$/, '');
    if (pin === '' || pin.length > 255) return { ok: false, problem: `the PIN file ${source.path} must hold one PIN of 1-255 characters` };
    return { ok: true, pin };
  } catch {
    return { ok: false, problem: `the PIN file ${source.path} cannot be read` };
  }
}
