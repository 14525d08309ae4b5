import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gpgHome, gpgKeys } from '../exports/gpg-keys.js';
import { type CliDb, createCliDb } from '../support/cli-db.js';

// `openeks export` in a child process, on the suite's database kind (docs/downloads.md
// "Downloading"): devices imported with `openeks import`, one key marked compromised, then the CSV
// download read back with unzip; the refusals exit 1 with their message and write no file.
const run = promisify(execFile);

let cli: CliDb;
const keys = Array.from({ length: 4 }, () => randomBytes(16).toString('hex').toUpperCase());

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

beforeAll(async () => {
  cli = await createCliDb({ name: 'export' });
  const header = 'serial,manufacturer,kind,medium,model,type_no,config_no,order_no,delivery_note,customer_no,key_type,key';
  const rows = keys.map((key, i) => `${71_000_001 + i},KAM,meter,heat,MULTICAL 403,,,ORD-${i < 3 ? 'A' : 'B'},,,DEK,${key}`);
  await writeFile(join(cli.dir, 'devices.csv'), `${[header, ...rows].join('\n')}\n`);
  const imported = await cli.openeks(['import', join(cli.dir, 'devices.csv')]);
  expect(imported.code, imported.stderr).toBe(0);
  await cli.query((db) =>
    db.kysely
      .updateTable('device_keys')
      .set({ state: 'compromised' })
      .where('device_id', 'in', db.kysely.selectFrom('devices').select('id').where('serial', '=', '71000002'))
      .execute(),
  );
}, 120_000);

afterAll(async () => {
  await cli?.cleanup();
});

describe('openeks export', () => {
  it('writes the active keys of the filtered devices, says what it left out and why, audited as the shell user', async () => {
    const out = join(cli.dir, 'order-a.csv.zip');
    const res = await cli.openeks(['export', '--format', 'csv', '--out', out, '--order', 'ORD-A']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const lines = res.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`2 devices written (2 keys) to ${out}`);
    expect(lines[1]).toBe('left out: compromised=1');
    expect(lines[2]).toMatch(/^file name: openeks-all-\d{4}-\d{2}-\d{2}-2\.csv\.zip$/);
    expect(lines[3]).toMatch(/^export id: exp_/);

    await run('unzip', ['-q', '-o', out, '-d', join(cli.dir, 'x')]);
    const { stdout: members } = await run('unzip', ['-Z1', out]);
    const csvName = members.split('\n').find((m) => m.endsWith('.csv')) ?? '';
    const csv = (await readFile(join(cli.dir, 'x', csvName), 'utf8')).split('\r\n').filter((l) => l !== '');
    expect(csv.slice(1).map((l) => [l.split(',')[0], l.split(',').at(-1)]).sort()).toEqual([
      ['71000001', keys[0]],
      ['71000003', keys[2]],
    ]);

    const record = await cli.query((db) => db.kysely.selectFrom('audit_log').select(['actor_role', 'auth_method', 'user_agent', 'details', 'seq']).where('action', '=', 'keys.export').executeTakeFirstOrThrow());
    expect(record).toMatchObject({ actor_role: 'system', auth_method: 'cli' });
    expect(record.user_agent).toMatch(/^openeks-cli \(/);
    const linked = await cli.query((db) => db.kysely.selectFrom('audit_devices').select('device_id').where('audit_seq', '=', record.seq).execute());
    expect(linked).toHaveLength(2);
  }, 120_000);

  it('encrypts to an OpenPGP public key file that gpg --decrypt opens; a private key is refused', async () => {
    const g = await gpgHome();
    try {
      const keys = await gpgKeys(g);
      await writeFile(join(cli.dir, 'public.asc'), keys.publicKey);
      await writeFile(join(cli.dir, 'private.asc'), keys.privateKey);
      const out = join(cli.dir, 'order-a.csv.zip.gpg');
      const res = await cli.openeks(['export', '--format', 'csv', '--out', out, '--order', 'ORD-A', '--openpgp-key', join(cli.dir, 'public.asc')]);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toMatch(/file name: openeks-all-\d{4}-\d{2}-\d{2}-2\.csv\.zip\.gpg\n/);
      await g.gpg(['--batch', '--yes', '--output', join(cli.dir, 'decrypted.zip'), '--decrypt', out]);
      const { stdout: test } = await run('unzip', ['-t', join(cli.dir, 'decrypted.zip')]);
      expect(test).toContain('No errors detected');

      const refused = await cli.openeks(['export', '--format', 'csv', '--out', join(cli.dir, 'never.gpg'), '--openpgp-key', join(cli.dir, 'private.asc')]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^openeks: .*OpenPGP/);
      expect(refused.stderr).not.toContain('PRIVATE KEY BLOCK');
      expect(await exists(join(cli.dir, 'never.gpg'))).toBe(false);
    } finally {
      await g.remove();
    }
  }, 120_000);

  it('refuses bad input with a clear message, exit 1, and writes no file', async () => {
    const out = join(cli.dir, 'refused.zip');
    await writeFile(join(cli.dir, 'long.txt'), 'ä123456789012345\n');
    const cases: Array<[string[], string]> = [
      [['--format', 'pdf'], 'openeks: --format pdf: unknown format (formats: kem, kem2, csv, wmbusmeters, json)'],
      [['--format', 'kem'], 'openeks: The KEM password must be 1 to 16 bytes long (UTF-8).'],
      [['--format', 'kem', '--password-file', join(cli.dir, 'long.txt')], 'openeks: The KEM password must be 1 to 16 bytes long (UTF-8).'],
      [['--format', 'csv', '--serial', '9*'], 'openeks: The selection holds no device whose keys can leave.'],
      [['--format', 'csv', '--serial', '71000002'], 'openeks: The selection holds no device whose keys can leave.'],
      [['--format', 'csv', '--kind', 'toaster'], 'openeks: --filter kind:'],
    ];
    const records = await cli.query(async (db) => (await db.kysely.selectFrom('audit_log').select('seq').where('action', '=', 'keys.export').execute()).length);
    for (const [args, message] of cases) {
      const res = await cli.openeks(['export', '--out', out, ...args]);
      expect(res.code, args.join(' ')).toBe(1);
      expect(res.stderr).toContain(message);
      expect(await exists(out)).toBe(false);
      expect(await exists(`${out}.part`)).toBe(false);
    }
    expect(await cli.query(async (db) => (await db.kysely.selectFrom('audit_log').select('seq').where('action', '=', 'keys.export').execute()).length)).toBe(records);
  }, 120_000);
});
