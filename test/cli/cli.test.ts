import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/core/db/database.js';
import { envVar } from '../../src/lib/env-vars.js';
import { createTestDb, type TestDb } from '../support/test-db.js';

// The real `openeks` command in a child process, on the suite's database kind, with the default
// file master key in a temporary directory.
const bin = fileURLToPath(new URL('../../bin/openeks.mjs', import.meta.url));
const run = promisify(execFile);

let dir: string;
let testDb: TestDb;
let env: Record<string, string>;
let setupLink = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-cli-'));
  testDb = await createTestDb({ migrate: false });
  await testDb.db.close();
  env = { PATH: process.env.PATH ?? '', [envVar.databaseUrl]: testDb.url, [envVar.masterKey]: `file:${join(dir, 'master.key')}`, [envVar.logLevel]: 'error', [envVar.outboxDir]: join(dir, 'outbox'), [envVar.auditAnchors]: join(dir, 'audit-anchors.jsonl') };
});

afterAll(async () => {
  await testDb?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

async function openeks(args: string[], extraEnv: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...env, ...extraEnv }, cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('openeks CLI', () => {
  it('migrate, then operator create prints a one-time link; the key file is created with mode 0600', async () => {
    const migrate = await openeks(['migrate']);
    expect(migrate).toMatchObject({ code: 0 });
    expect(migrate.stdout).toContain('0001-foundation');
    const created = await openeks(['operator', 'create', '--email', 'Ops@Example.com']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/http:\/\/localhost:8080\/setup#token=[A-Za-z0-9_-]{43}/);
    setupLink = /http:\S+/.exec(created.stdout)?.[0] ?? '';
    expect((await stat(join(dir, 'master.key'))).mode & 0o777).toBe(0o600);
  });

  it('mail list shows the setup mail in the development outbox', async () => {
    const list = await openeks(['mail', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/stored\s+ops@example\.com/);
    expect(list.stdout).not.toContain('token=');
  });

  it('mail list --body reads the bodies from the outbox folder, and says where it is', async () => {
    const list = await openeks(['mail', 'list', '--body']);
    expect(list.code).toBe(0);
    const folder = join(dir, 'outbox');
    expect(list.stdout.split('\n')[0]).toBe(`development outbox: ${folder} (one .eml file per mail, readable only by this user)`);
    expect(list.stdout).toMatch(/stored\s+ops@example\.com\s+openeks: set the password for your operator account\n {4}Hello,\n/);
    expect(list.stdout).toContain(`    Set password:\n    ${setupLink}\n`);
    const [file] = await readdir(folder);
    expect(file).toMatch(/^mail_[A-Za-z0-9_-]+\.eml$/);
    expect((await stat(join(folder, file ?? ''))).mode & 0o777).toBe(0o600);
    expect((await stat(folder)).mode & 0o777).toBe(0o700);
  });

  it('audit verify: 0 intact, 4 without the vault, 3 when the newest records were removed, 1 at an edited record', async () => {
    const ok = await openeks(['audit', 'verify']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/audit trail intact: \d+ records \(\d+ keyed\), head [0-9a-f]{64}; newest anchor: record \d+ at /);

    // A wrong master key: the MACs cannot be checked, and it never says "intact".
    const wrongKey = join(dir, 'wrong.key');
    await writeFile(wrongKey, `v1 ${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    const sealed = await openeks(['audit', 'verify'], { [envVar.masterKey]: `file:${wrongKey}` });
    expect(sealed.code).toBe(4);
    expect(sealed.stdout).toBe('');
    expect(sealed.stderr).toContain('audit trail NOT VERIFIED');
    expect(sealed.stderr).toContain(`the key vault is sealed`);
    expect(sealed.stderr).toContain(wrongKey);
    expect(sealed.stderr).toMatch(/does not open|canary/);

    const db = openDatabase(testDb.url);
    try {
      if (db.kind === 'postgres') await sql`ALTER TABLE audit_log DISABLE TRIGGER USER`.execute(db.kysely);
      else {
        await sql`DROP TRIGGER audit_log_no_update`.execute(db.kysely);
        await sql`DROP TRIGGER audit_log_no_delete`.execute(db.kysely);
      }
      // The probe: delete the newest record. The commands before anchored the head at their exit.
      const [last, previous] = await db.kysely.selectFrom('audit_log').select('seq').orderBy('seq', 'desc').limit(2).execute();
      await db.kysely.deleteFrom('audit_log').where('seq', '=', last?.seq ?? 0).execute();
      const tail = await openeks(['audit', 'verify']);
      expect(tail.code).toBe(3);
      expect(tail.stderr).toContain(`missing tail: records ${(previous?.seq ?? 0) + 1}…${last?.seq} were removed after the anchor of `);
      expect(tail.stderr).toMatch(/removed after the anchor of \d{4}-\d\d-\d\dT\S+ \(instance ins_[A-Za-z0-9_-]+\)/);

      const first = await db.kysely.selectFrom('audit_log').select('seq').orderBy('seq').limit(1).executeTakeFirstOrThrow();
      await db.kysely.updateTable('audit_log').set({ actor_role: 'operator' }).where('seq', '=', first.seq).execute();
      const broken = await openeks(['audit', 'verify']);
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain(`record ${first.seq} `);
      expect(broken.stderr).toContain('was changed after it was written');
    } finally {
      await db.close();
    }
  });

  it('master-key rotate reports the new versions', async () => {
    const res = await openeks(['master-key', 'rotate']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/master key version 2, key-encryption key version 2/);
  });

  it('stops with a message naming a malformed variable, without printing its value', async () => {
    const res = await openeks(['mail', 'list'], { [envVar.smtpUrl]: 'ftp://user:Hunter2Secret@host' });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('OPENEKS_SMTP_URL');
    expect(res.stderr).not.toContain('Hunter2Secret');
  });

  it('refuses a bad --email with a message', async () => {
    const res = await openeks(['operator', 'create', '--email', 'not an email']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('--email');
  });
});
