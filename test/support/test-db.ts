import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { type Db, openDatabase } from '../../src/core/db/database.js';
import { migrateToLatest } from '../../src/core/db/migrate.js';

// A fresh database per test file. SQLite in a temporary directory by default; when
// OPENEKS_TEST_DATABASE_URL is a postgres:// URL, a uniquely named database is created through
// that server (the URL's own database is only used to run CREATE/DROP DATABASE).

export interface TestDb {
  db: Db;
  /** Open it again (another process, a second instance) with openDatabase(url). */
  url: string;
  /** Closes `db` (if the test did not) and deletes the database. */
  cleanup(): Promise<void>;
}

export interface TestDbOptions {
  /** Run migrateToLatest (default true); false gives an empty database for migration tests. */
  migrate?: boolean;
}

export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return /^postgres(ql)?:\/\//.test(process.env.OPENEKS_TEST_DATABASE_URL ?? '') ? 'postgres' : 'sqlite';
}

/** The file behind a sqlite: URL (for tests that read the bytes on disk), else undefined. */
export function sqlitePath(url: string): string | undefined {
  return url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : undefined;
}

async function closeQuietly(db: Db): Promise<void> {
  // The test may have closed it already; a second close is not an error here.
  await db.close().catch(() => undefined);
}

async function admin<T>(serverUrl: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

async function createPostgresDb(serverUrl: string, options: TestDbOptions): Promise<TestDb> {
  const name = `openeks_test_${Date.now().toString(36)}_${randomBytes(5).toString('hex')}`;
  await admin(serverUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = openDatabase(url.toString());
  const cleanup = async (): Promise<void> => {
    await closeQuietly(db);
    await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  };
  try {
    if (options.migrate !== false) await migrateToLatest(db);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { db, url: url.toString(), cleanup };
}

async function createSqliteDb(options: TestDbOptions): Promise<TestDb> {
  const dir = await mkdtemp(join(tmpdir(), 'openeks-test-'));
  const url = `sqlite:${join(dir, 'test.db')}`;
  const db = openDatabase(url);
  const cleanup = async (): Promise<void> => {
    await closeQuietly(db);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    if (options.migrate !== false) await migrateToLatest(db);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { db, url, cleanup };
}

export async function createTestDb(options: TestDbOptions = {}): Promise<TestDb> {
  const serverUrl = process.env.OPENEKS_TEST_DATABASE_URL;
  if (serverUrl !== undefined && testDatabaseKind() === 'postgres') return createPostgresDb(serverUrl, options);
  return createSqliteDb(options);
}
