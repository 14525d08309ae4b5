import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/test-db.js';
import { deviceContext, rejection } from '../../../test/support/vault-contract.js';
import { systemClock } from '../../lib/clock.js';
import { parseMasterKeySpec } from '../../lib/master-key-spec.js';
import { openMasterKeyProvider, type MasterKeyProvider } from './master-key/index.js';
import { createVault, type Vault } from './vault-service.js';

// SEC-05: the ways a master key can be missing or wrong on the way in, each sealing the vault
// with a reason that names the label and never the key.

let testDb: TestDb;
let dir: string;
let keyPath: string;
const open: { vaults: Vault[]; providers: MasterKeyProvider[] } = { vaults: [], providers: [] };

async function boot(spec: string): Promise<Vault> {
  const provider = await openMasterKeyProvider(parseMasterKeySpec(spec));
  open.providers.push(provider);
  const vault = createVault({ db: testDb.db, clock: systemClock, provider });
  open.vaults.push(vault);
  await vault.init();
  return vault;
}

function noKeyMaterial(text: string | undefined, keys: Buffer[]): void {
  for (const key of keys) {
    expect(text).not.toContain(key.toString('base64'));
    expect(text).not.toContain(key.toString('hex'));
  }
}

beforeEach(async () => {
  testDb = await createTestDb();
  dir = await mkdtemp(join(tmpdir(), 'openeks-boot-'));
  keyPath = join(dir, 'data', 'master.key');
});

afterEach(async () => {
  for (const vault of open.vaults.splice(0)) await vault.close();
  for (const provider of open.providers.splice(0)) await provider.close();
  await testDb.cleanup();
  await rm(dir, { recursive: true, force: true });
});

describe('vault boot with file:', () => {
  it('creates the key file (0600, directory 0700) on first boot only', async () => {
    const vault = await boot(`file:${keyPath}`);
    expect(vault.status()).toEqual({ sealed: false, label: `file:${keyPath}` });
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'data'))).mode & 0o777).toBe(0o700);
    expect(await readFile(keyPath, 'utf8')).toMatch(/\nv1 [A-Za-z0-9+/]{43}=\n$/);
  });

  it('seals, and creates nothing, when the file is missing under an existing vault', async () => {
    await boot(`file:${keyPath}`);
    await rm(keyPath);
    const vault = await boot(`file:${keyPath}`);
    expect(vault.status()).toEqual({ sealed: true, label: `file:${keyPath}`, reason: `master key file ${keyPath} is missing` });
    expect(existsSync(keyPath)).toBe(false);
    const err = await rejection(vault.encrypt({ plaintext: randomBytes(16), context: deviceContext('key_1') }));
    expect(err.code).toBe('sealed');
    expect(err.message).toBe(`The key vault is sealed: master key file ${keyPath} is missing`);
  });

  it('seals when the file is readable by group or others', async () => {
    await boot(`file:${keyPath}`);
    await chmod(keyPath, 0o644);
    const vault = await boot(`file:${keyPath}`);
    expect(vault.status().reason).toBe(`master key file ${keyPath} has mode 0644; it must not be accessible by group or others (chmod 600)`);
  });

  it('seals on a short key or an unparsable file (never replacing it), without printing the key', async () => {
    const short = randomBytes(16);
    await mkdir(join(dir, 'data'), { recursive: true });
    await writeFile(keyPath, `v1 ${short.toString('base64')}\n`, { mode: 0o600 });
    const vault = await boot(`file:${keyPath}`);
    expect(vault.status().reason).toBe(`master key file ${keyPath}: line 1: the key is not 32 bytes of base64`);
    noKeyMaterial(vault.status().reason, [short]);
    await writeFile(keyPath, 'this is not a key file\n', { mode: 0o600 });
    const garbled = await boot(`file:${keyPath}`);
    expect(garbled.status().reason).toBe(`master key file ${keyPath}: line 1 is not "v<version> <base64 key>"`);
    expect(await readFile(keyPath, 'utf8')).toBe('this is not a key file\n');
  });

  it('seals when the file lacks the version a KEK needs', async () => {
    await boot(`file:${keyPath}`);
    const other = randomBytes(32);
    await writeFile(keyPath, `v2 ${other.toString('base64')}\n`, { mode: 0o600 });
    const vault = await boot(`file:${keyPath}`);
    expect(vault.status().reason).toBe(`master key file:${keyPath} has no version 1, which key-encryption key v1 needs`);
  });

  it('lets a running instance follow a rotation done by another one', async () => {
    const a = await boot(`file:${keyPath}`);
    const b = await boot(`file:${keyPath}`);
    await a.rotate();
    const plaintext = randomBytes(16);
    const context = deviceContext('key_follow');
    const sealed = await a.encrypt({ plaintext, context });
    // b knew only master v1 and KEK v1; it reloads the file for v2 when it needs it.
    expect(await b.decrypt({ ciphertext: sealed.ciphertext, context })).toEqual(plaintext);
    const fromB = await b.encrypt({ plaintext, context });
    expect(await a.decrypt({ ciphertext: fromB.ciphertext, context })).toEqual(plaintext);
    expect((await stat(keyPath)).mode & 0o777).toBe(0o600);
    expect(await readFile(keyPath, 'utf8')).toMatch(/\nv1 \S+\nv2 \S+\n$/);
  });
});

describe('vault boot with env:', () => {
  it('seals on a short or missing key, naming the variable and not the value', async () => {
    const short = randomBytes(16);
    const vault = await boot(`env:${short.toString('base64')}`);
    expect(vault.status()).toEqual({ sealed: true, label: 'env:OPENEKS_MASTER_KEY', reason: 'master key env:OPENEKS_MASTER_KEY: the key is not 32 bytes of base64' });
    noKeyMaterial(vault.status().reason, [short]);
    const empty = await boot('env:');
    expect(empty.status().reason).toBe('master key env:OPENEKS_MASTER_KEY: no key is given');
  });

  it('uses the highest version for new KEKs and keeps older ones for decryption', async () => {
    const v1 = randomBytes(32).toString('base64');
    const v2 = randomBytes(32).toString('base64');
    const first = await boot(`env:${v1}`);
    const plaintext = randomBytes(32);
    const context = deviceContext('key_env');
    const sealed = await first.encrypt({ plaintext, context });
    const both = await boot(`env:v2=${v2},v1=${v1}`);
    const report = await both.rotate();
    expect(report).toMatchObject({ masterVersion: 2, masterVersionCreated: false, kekVersion: 2, retired: [1] });
    expect((await rejection(both.rotate({ newMasterVersion: true }))).code).toBe('conflict');
    const onlyNew = await boot(`env:v2=${v2}`);
    expect(onlyNew.status().sealed).toBe(false);
    expect(await onlyNew.decrypt({ ciphertext: sealed.ciphertext, context })).toEqual(plaintext);
  });

  // A spec of no known kind never gets this far: configuration loading refuses it (src/lib/config.test.ts).
  it('seals on a pkcs11: spec whose fields are wrong, naming the field and not the value', async () => {
    const vault = await boot('pkcs11:module=/usr/lib/softhsm/libsofthsm2.so;token=openeks;pin=S3cretPin');
    expect(vault.status()).toEqual({
      sealed: true,
      label: 'pkcs11:',
      reason: 'master key pkcs11: spec: pin= must be env:NAME or file:PATH; the PIN itself never goes into the spec',
    });
  });
});
