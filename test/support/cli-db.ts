import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openDatabase } from '../../src/core/db/database.js';
import { envVar } from '../../src/lib/env-vars.js';
import { createTestDb } from './test-db.js';

// The compiled CLI (bin/openeks, `npm run build:cli` first) on a fresh database of the suite's kind
// (test-db.ts), migrated with `openeks migrate`; a temporary directory holds the master key, the
// outbox and whatever files the test writes. For the CLI tests in test/cli/.
const bin = fileURLToPath(new URL('../../bin/openeks', import.meta.url));
const run = promisify(execFile);

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliDb {
  /** The working directory of every run (and a place for the test's files). */
  dir: string;
  /** The database URL the CLI is given. */
  url: string;
  /** Runs `openeks ...args` in a child process; a non-zero exit is returned, not thrown. */
  openeks(args: string[]): Promise<CliRun>;
  /** Opens the database for one piece of work and closes it again (the CLI holds no connection). */
  query<T>(work: (db: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T>;
  /** Deletes the database and the directory. */
  cleanup(): Promise<void>;
}

export async function createCliDb({ name }: { name: string }): Promise<CliDb> {
  const dir = await mkdtemp(join(tmpdir(), `openeks-cli-${name}-`));
  const testDb = await createTestDb({ migrate: false });
  await testDb.db.close();
  const env = { PATH: process.env.PATH ?? '', [envVar.databaseUrl]: testDb.url, [envVar.masterKey]: `file:${join(dir, 'master.key')}`, [envVar.logLevel]: 'error', [envVar.outboxDir]: join(dir, 'outbox') };
  const cleanup = async () => {
    await testDb.cleanup();
    await rm(dir, { recursive: true, force: true });
  };
  const openeks = async (args: string[]): Promise<CliRun> => {
    try {
      const { stdout, stderr } = await run(bin, args, { env, cwd: dir });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const query = async <T>(work: (db: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> => {
    const db = openDatabase(testDb.url);
    try {
      return await work(db);
    } finally {
      await db.close();
    }
  };
  const migrated = await openeks(['migrate']);
  if (migrated.code !== 0) {
    await cleanup();
    throw new Error(`openeks migrate exited ${migrated.code}: ${migrated.stderr}`);
  }
  return { dir, url: testDb.url, openeks, query, cleanup };
}
