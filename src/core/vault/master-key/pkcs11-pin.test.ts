import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Secret } from '../../../lib/secret.js';
import { resolvePin } from './pkcs11-pin.js';

describe('pkcs11: PIN', () => {
  it('takes pin=env:NAME from the value read at start-up, and names the variable when it was not set', async () => {
    expect(await resolvePin({ kind: 'env', name: 'PIN' }, new Secret('1234'))).toEqual({ ok: true, pin: '1234' });
    expect(await resolvePin({ kind: 'env', name: 'PIN' }, undefined)).toEqual({ ok: false, problem: 'the PIN variable PIN is not set' });
    expect(await resolvePin({ kind: 'env', name: 'PIN' }, new Secret(''))).toEqual({ ok: false, problem: 'the PIN variable PIN is not set' });
  });

  it('reads pin=file:PATH from a private file only', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openeks-pin-'));
    try {
      const file = join(dir, 'pin');
      await writeFile(file, '4321\n', { mode: 0o600 });
      expect(await resolvePin({ kind: 'file', path: file }, new Secret('ignored'))).toEqual({ ok: true, pin: '4321' });
      await chmod(file, 0o640);
      expect(await resolvePin({ kind: 'file', path: file }, undefined)).toEqual({ ok: false, problem: `the PIN file ${file} must not be accessible by group or others (chmod 600)` });
      const missing = join(dir, 'missing');
      expect(await resolvePin({ kind: 'file', path: missing }, undefined)).toEqual({ ok: false, problem: `the PIN file ${missing} cannot be read` });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
