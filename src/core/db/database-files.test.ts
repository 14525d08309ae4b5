import { chmod, mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { migrateToLatest } from './migrate.js';

// The SQLite files hold password hashes, sessions and the audit trail: nobody but the service's
// own user reads them (issue 11, item 2). Independent of the suite's database kind: these tests
// open SQLite files of their own.

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'openeks-files-'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const modeOf = async (path: string) => (await stat(path)).mode & 0o777;

describe('the SQLite files on disk', () => {
  it('are created 0600 in a data folder created 0700 on a fresh start, the -wal and -shm files too', async () => {
    const file = join(root, 'fresh', 'data', 'openeks.db');
    const warnings: string[] = [];
    const db = openDatabase(`sqlite:${file}`, { warn: (message) => warnings.push(message) });
    try {
      await migrateToLatest(db);
      expect(await modeOf(join(root, 'fresh'))).toBe(0o700);
      expect(await modeOf(join(root, 'fresh', 'data'))).toBe(0o700);
      expect(await modeOf(file)).toBe(0o600);
      expect(await modeOf(`${file}-wal`)).toBe(0o600);
      expect(await modeOf(`${file}-shm`)).toBe(0o600);
    } finally {
      await db.close();
    }
    expect(warnings).toEqual([]);
  });

  it('tightens an existing database file that others may read, with a warning naming it', async () => {
    const folder = join(root, 'data');
    await mkdir(folder, { mode: 0o700 });
    const file = join(folder, 'openeks.db');
    const first = openDatabase(`sqlite:${file}`);
    await migrateToLatest(first);
    await first.close();
    await chmod(file, 0o644);
    await writeFile(`${file}-wal`, '', { mode: 0o644 });
    await chmod(`${file}-wal`, 0o644);

    const warnings: string[] = [];
    const db = openDatabase(`sqlite:${file}`, { warn: (message) => warnings.push(message) });
    try {
      await db.ping();
      expect(await modeOf(file)).toBe(0o600);
      expect(await modeOf(`${file}-wal`)).toBe(0o600);
    } finally {
      await db.close();
    }
    expect(warnings).toEqual([`database file ${file} had mode 0644; set to 0600 (nobody but this service's user may read it)`, `database file ${file}-wal had mode 0644; set to 0600 (nobody but this service's user may read it)`]);
  });

  it('leaves an existing folder as it is, with a warning when others may enter it (it may be shared)', async () => {
    const folder = join(root, 'shared');
    await mkdir(folder);
    await chmod(folder, 0o755);
    const warnings: string[] = [];
    const db = openDatabase(`sqlite:${join(folder, 'openeks.db')}`, { warn: (message) => warnings.push(message) });
    await db.close();
    expect(await modeOf(folder)).toBe(0o755);
    expect(await modeOf(join(folder, 'openeks.db'))).toBe(0o600);
    expect(warnings).toEqual([`data folder ${folder} has mode 0755: others can list it (chmod 700 if nothing else needs it)`]);
  });
});
