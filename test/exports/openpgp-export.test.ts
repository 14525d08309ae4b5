import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encryptToOpenPgp } from '../../src/core/modules/exports/openpgp-encrypt.js';
import { writeExport } from '../../src/core/modules/exports/write-export.js';
import { checkOpenPgpPublicKey } from '../../src/core/modules/openpgp/openpgp-key-check.js';
import { AppError } from '../../src/shared/errors.js';
import { device, each, opensslVerifies, sumsCheck, tempDir, type TempDir, testSigner, unzipped } from './export-files.js';
import { type GpgHome, type GpgKeys, gpgHome, gpgKeys } from './gpg-keys.js';

// A download encrypted to an OpenPGP key (docs/downloads.md "OpenPGP"): gpg --decrypt gives back
// the signed ZIP; a private key, garbage or a signing-only key is refused naming the field.

let g: GpgHome;
let keys: GpgKeys;
let dir: TempDir;
beforeAll(async () => {
  g = await gpgHome();
  keys = await gpgKeys(g);
  dir = await tempDir();
}, 60_000);
afterAll(async () => {
  await g.remove();
  await dir.remove();
});

async function refusal(armored: string, now?: Date): Promise<AppError> {
  const err = await checkOpenPgpPublicKey(armored, now ? { now } : {}).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error('expected a refusal');
  return err;
}

describe('OpenPGP encryption of a download', () => {
  it('gpg --decrypt gives back the signed ZIP, byte for byte readable by unzip, sha256sum and openssl', async () => {
    const signer = testSigner();
    const path = dir.path('download.csv.zip.gpg');
    const encryption = await encryptToOpenPgp({ armoredKey: keys.publicKey, out: createWriteStream(path) });
    expect(encryption.fingerprint).toBe(keys.fingerprint);
    const written = await writeExport({ format: 'csv', devices: each([device('63941885'), device('63941886')]), out: encryption.sink, signer, fileStem: 'openeks-x-2026-12-03-2' });
    await encryption.done;
    expect(encryption.fileName(written.fileName)).toBe('openeks-x-2026-12-03-2.csv.zip.gpg');
    const head = await readFile(path);
    // Binary OpenPGP, not armored: a packet tag byte, not "-----BEGIN".
    expect((head[0] ?? 0) & 0x80).toBe(0x80);
    expect(head.subarray(0, 5).toString('latin1')).not.toBe('-----');
    expect(head.includes(Buffer.from('serial,manufacturer'))).toBe(false);
    await g.gpg(['--output', dir.path('decrypted.zip'), '--decrypt', path]);
    expect(await unzipped(dir, dir.path('decrypted.zip'))).toEqual(['openeks-x-2026-12-03-2.csv', 'SHA256SUMS', 'SHA256SUMS.sig']);
    expect(await opensslVerifies(dir, signer)).toBe(true);
    expect(await sumsCheck(dir)).toBe(true);
  }, 60_000);

  it('accepts the public key with its fingerprint and algorithm', async () => {
    const checked = await checkOpenPgpPublicKey(keys.publicKey);
    expect(checked.fingerprint).toBe(keys.fingerprint);
    // gpg's default here: RSA 3072 (newer gpg: ed25519 with a cv25519 subkey).
    expect(checked.algorithm).toMatch(/^(rsaEncryptSign3072|eddsaLegacy\/ed25519|ed25519)$/);
  });

  it('refuses a private key, garbage, a signing-only key and an expired one, naming the field, never echoing it', async () => {
    const cases: [string, string, Date | undefined][] = [
      [keys.privateKey, 'is a private key', undefined],
      ['not a key at all', 'is not an armored OpenPGP public key', undefined],
      [keys.publicKey.replace(/\n[A-Za-z0-9+/]{20}/, '\nAAAAAAAAAAAAAAAAAAAA'), 'is not an armored OpenPGP public key', undefined],
      [keys.signingOnly, 'has no encryption key', undefined],
      [keys.publicKey, 'is expired or revoked', new Date(Date.UTC(1990, 0, 1))],
    ];
    for (const [armored, reason, now] of cases) {
      const err = await refusal(armored, now);
      expect(err.code).toBe('openpgp_key_invalid');
      expect(err.status).toBe(422);
      expect(err.details).toEqual([{ field: 'armored', reason }]);
      expect(err.message).not.toContain(armored.length > 80 ? armored.slice(40, 80) : armored);
    }
  });

  it('encryptToOpenPgp refuses before writing anything, naming armoredKey', async () => {
    const path = dir.path('nothing.gpg');
    await writeFile(path, '');
    const out = createWriteStream(path);
    const err = await encryptToOpenPgp({ armoredKey: keys.signingOnly, out }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).details?.[0]?.field).toBe('armoredKey');
    out.destroy();
    expect((await readFile(path)).length).toBe(0);
  });
});
