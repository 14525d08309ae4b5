import { execFile } from 'node:child_process';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Db, openDatabase } from '../../src/core/db/database.js';
import { deviceKeyContext } from '../../src/core/modules/keys/key-crypto.js';
import { openMasterKeyProvider } from '../../src/core/vault/master-key/index.js';
import { createVault } from '../../src/core/vault/vault-service.js';
import { systemClock } from '../../src/lib/clock.js';
import { envVar } from '../../src/lib/env-vars.js';
import { kamstrupSampleKem } from '../fixtures/fixture-files.js';
import { createTestDb, type TestDb } from '../support/test-db.js';

// `openeks import` and `openeks demo seed` in a child process, on the suite's database kind, with
// the real KEM file as Kamstrup ships it.
const bin = fileURLToPath(new URL('../../bin/openeks', import.meta.url));
const sample = kamstrupSampleKem.path;
const samplePassword = kamstrupSampleKem.password;
const run = promisify(execFile);

let dir: string;
let testDb: TestDb;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-cli-import-'));
  testDb = await createTestDb({ migrate: false });
  await testDb.db.close();
  env = { PATH: process.env.PATH ?? '', [envVar.databaseUrl]: testDb.url, [envVar.masterKey]: `file:${join(dir, 'master.key')}`, [envVar.logLevel]: 'error' };
  expect((await openeks(['migrate'])).code).toBe(0);
}, 60_000);

afterAll(async () => {
  await testDb?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function openeks(args: string[]) {
  try {
    const { stdout, stderr } = await run(bin, args, { env, cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The sample's DEKs by serial, read with node:crypto alone (docs/product.md "KEM"), not with our reader. */
async function sampleKeys(): Promise<Map<string, string>> {
  const text = await readFile(sample, 'utf8');
  const cipher = Buffer.from(/<CipherValue>([^<]+)<\/CipherValue>/.exec(text)?.[1] ?? '', 'base64');
  const key = Buffer.alloc(16);
  Buffer.from(samplePassword, 'utf8').copy(key);
  const decipher = createDecipheriv('aes-128-cbc', key, key);
  const plain = Buffer.concat([decipher.update(cipher), decipher.final()]).toString('utf8');
  const keys = new Map<string, string>();
  for (const m of plain.matchAll(/<SerialNo>(\d+)<\/SerialNo><EncKeys><DEK>([0-9A-F]+)<\/DEK>/g)) keys.set(m[1] ?? '', m[2] ?? '');
  return keys;
}

async function withDb<T>(work: (db: Db) => Promise<T>): Promise<T> {
  const db = openDatabase(testDb.url);
  try {
    return await work(db);
  } finally {
    await db.close();
  }
}

async function storedKeys(serial: string) {
  return withDb(async (db) => {
    const provider = await openMasterKeyProvider({ kind: 'file', path: join(dir, 'master.key') });
    const vault = createVault({ db, clock: systemClock, provider });
    try {
      expect((await vault.init()).sealed).toBe(false);
      const rows = await db.kysely
        .selectFrom('device_keys')
        .innerJoin('devices', 'devices.id', 'device_keys.device_id')
        .select(['device_keys.id', 'device_id', 'key_type', 'version', 'state', 'ciphertext'])
        .where('serial', '=', serial)
        .orderBy('version')
        .execute();
      const out = [];
      for (const k of rows) {
        const plain = await vault.decrypt({ ciphertext: k.ciphertext ?? '', context: deviceKeyContext({ id: k.id, deviceId: k.device_id, keyType: k.key_type, version: k.version }) });
        out.push({ keyType: k.key_type, version: k.version, state: k.state, key: plain.toString('hex').toUpperCase() });
      }
      return out;
    } finally {
      await vault.close();
      await provider.close();
    }
  });
}

const countOf = (table: 'devices' | 'device_keys') => withDb(async (db) => (await db.kysely.selectFrom(table).select('id').execute()).length);

describe('openeks import', () => {
  it('a wrong password: a message, exit 1, nothing stored', async () => {
    const res = await openeks(['import', sample, '--password', 'wrong-pass']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('kamstrup-sample.kem was not imported: The password does not open this KEM file.');
    expect(res.stderr + res.stdout).not.toContain('wrong-pass');
    expect(await countOf('devices')).toBe(0);
  }, 60_000);

  it('imports the real Kamstrup sample: 2 meters with their DEKs', async () => {
    const res = await openeks(['import', sample, '--password', samplePassword, '--delivery-date', '2026-11-02']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toBe('Imported 2 devices, 2 keys from kamstrup-sample.kem (KEM).\n');

    const devices = await withDb((db) => db.kysely.selectFrom('devices').select(['serial', 'manufacturer', 'kind', 'medium', 'model', 'driver_hint', 'delivery_date']).orderBy('serial').execute());
    expect(devices).toEqual([
      { serial: '63941885', manufacturer: 'KAM', kind: 'meter', medium: 'water-cold', model: 'MULTICAL 21', driver_hint: 'multical21', delivery_date: '2026-11-02' },
      { serial: '63941886', manufacturer: 'KAM', kind: 'meter', medium: 'water-cold', model: 'MULTICAL 21', driver_hint: 'multical21', delivery_date: '2026-11-02' },
    ]);
    const expected = await sampleKeys();
    expect(expected.size).toBe(2);
    for (const serial of ['63941885', '63941886']) {
      expect(await storedKeys(serial)).toEqual([{ keyType: 'DEK', version: 1, state: 'active', key: expected.get(serial) }]);
    }
    const audit = await withDb((db) => db.kysely.selectFrom('audit_log').select(['action', 'actor_role', 'auth_method', 'details']).where('action', '=', 'import.complete').execute());
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_role: 'system', auth_method: 'cli' });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({ fileName: 'kamstrup-sample.kem', format: 'kem', devicesCreated: 2, keysCreated: 2, newVersion: false });
  }, 60_000);

  it('the same file again: every row named, exit 1; with --new-version a second active version', async () => {
    const again = await openeks(['import', sample, '--password', samplePassword]);
    expect(again.code).toBe(1);
    expect(again.stdout).toBe('row 1, serial: device KAM 63941885 already exists\nrow 2, serial: device KAM 63941886 already exists\n');
    expect(again.stderr).toContain('kamstrup-sample.kem was not imported: 2 rows are not valid; nothing was stored.');
    expect(await countOf('device_keys')).toBe(2);

    const renewed = await openeks(['import', sample, '--password', samplePassword, '--new-version']);
    expect(renewed.code).toBe(0);
    expect(renewed.stdout).toBe('Imported 0 devices, 2 keys from kamstrup-sample.kem (KEM).\n');
    const key = (await sampleKeys()).get('63941885');
    expect(await storedKeys('63941885')).toEqual([
      { keyType: 'DEK', version: 1, state: 'deactivated', key },
      { keyType: 'DEK', version: 2, state: 'active', key },
    ]);
  }, 60_000);

  it('a CSV with bad rows: each problem on its line, more than 1,000 summed up, exit 1', async () => {
    const header = 'serial,manufacturer,kind,medium,model,type_no,config_no,order_no,delivery_note,customer_no,key_type,key';
    const lines = Array.from({ length: 1_002 }, (_, i) => `${70_000_000 + i},KAM,meter,heat,MULTICAL 403,,,,,,DEK,${i === 0 ? randomBytes(16).toString('hex') : 'ABC'}`);
    const file = join(dir, 'bad.csv');
    await writeFile(file, `${[header, ...lines].join('\n')}\n`);
    const res = await openeks(['import', file]);
    expect(res.code).toBe(1);
    const out = res.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(1_001);
    expect(out[0]).toBe('row 3, key: a key is 32 or 64 hex digits (16 or 32 bytes), not 3');
    expect(out[1_000]).toBe('… and 1 more');
    expect(res.stderr).toContain('bad.csv was not imported: 1,001 rows are not valid; nothing was stored.');
    expect(await countOf('devices')).toBe(2);
  }, 60_000);
});

describe('openeks demo seed', () => {
  it('creates a demo inventory and says so; refuses a number of devices out of range', async () => {
    const res = await openeks(['demo', 'seed', '--devices', '30', '--seed', '5']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Demo inventory: 30 devices with \d+ keys in 1 delivery, for 3 customer accounts \(3 new\)\. Seed 5\.\n$/);
    expect(await countOf('devices')).toBe(32);

    for (const n of ['0', '10000001', 'many']) {
      const refused = await openeks(['demo', 'seed', '--devices', n]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('--devices must be a whole number from 1 to 10,000,000');
    }
    expect(await countOf('devices')).toBe(32);
  }, 120_000);
});
