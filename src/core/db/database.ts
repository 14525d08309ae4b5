import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { type Dialect, dialects } from './dialect.js';
import { statementNameOf } from './prepared-query.js';
import type { Database } from './schema.js';
import { prepareSqliteFiles } from './sqlite-files.js';

// The only place that knows SQLite from PostgreSQL (docs/style.md). Everything above it speaks Kysely.

export type DbKind = 'sqlite' | 'postgres';
/** A repo method runs on the database or inside the caller's transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface Db {
  kind: DbKind;
  /** What differs between the two, as operations (dialect.ts): modules ask it, never `kind`. */
  dialect: Dialect;
  kysely: Kysely<Database>;
  /** Cheap round trip for /readyz. Rejects when the database cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

// int8 (COUNT(*), bigint columns) as a JS number: every counter we keep stays far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));

export interface OpenOptions {
  /** Told about files and folders others may read (SQLite); the container logs it. */
  warn?: (message: string) => void;
}

export function openDatabase(url: string, options: OpenOptions = {}): Db {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), options.warn ?? (() => undefined));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return openPostgres(url);
  throw new Error('database URL must be sqlite:PATH or postgres://…');
}

/** Statements kept per SQL text: at most this many (queries with long `in (…)` lists would otherwise grow it without end). */
const STATEMENT_CACHE = 500;

/**
 * Kysely prepares every query anew; on a hot path (the Bearer key fetch, docs/api-tokens.md)
 * preparing cost as much as running. Prepared statements are kept per SQL text and reused unless
 * one is busy (an open iterator, a streamed export), which gets a fresh one. SQLite re-prepares a
 * kept statement by itself after a schema change.
 */
function cachedStatements(sqlite: SqliteDatabase.Database): { prepare(sql: string): SqliteDatabase.Statement; close(): void } {
  const kept = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql) {
      const hit = kept.get(sql);
      if (hit !== undefined && !hit.busy) return hit;
      const statement = sqlite.prepare(sql);
      if (hit === undefined && kept.size < STATEMENT_CACHE) kept.set(sql, statement);
      return statement;
    },
    close() {
      kept.clear();
      sqlite.close();
    },
  };
}

function openSqlite(path: string, warn: (message: string) => void): Db {
  if (path !== ':memory:') prepareSqliteFiles(path, warn);
  const sqlite = new SqliteDatabase(path);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: cachedStatements(sqlite) }) });
  return {
    kind: 'sqlite',
    dialect: dialects.sqlite,
    kysely,
    async ping() {
      sqlite.prepare('select 1').get();
    },
    async close() {
      await kysely.destroy();
    },
  };
}

/**
 * The SQL of prepared queries (prepared-query.ts: the Bearer key fetch's look-ups) runs as a named
 * statement of the connection, so PostgreSQL parses and plans it once per connection, not on
 * every request; any other SQL goes as before.
 */
function nameStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const named = (...args: unknown[]): unknown => {
    const [text, values] = args;
    const name = typeof text === 'string' && args.length === 2 && Array.isArray(values) ? statementNameOf(text) : undefined;
    return name === undefined ? query(...args) : query({ name, text, values });
  };
  client.query = named as typeof client.query;
}

function openPostgres(url: string): Db {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000 });
  // An idle client losing its server must not crash the process: the pool drops it and the next
  // query reconnects. /readyz reports the outage meanwhile.
  pool.on('error', () => undefined);
  // A client that is checked out when its server goes away emits 'error' with nobody listening
  // (the pool only listens while it is idle), which would kill the process. The query in flight
  // still fails with the error; this listener only keeps the process alive.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
    nameStatements(client);
  });
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    dialect: dialects.postgres,
    kysely,
    async ping() {
      const client = await pool.connect();
      try {
        await client.query('select 1');
      } finally {
        client.release();
      }
    },
    async close() {
      await kysely.destroy();
    },
  };
}
