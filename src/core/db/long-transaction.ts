import { type Kysely, sql } from 'kysely';
import { type Db, type Executor, openDatabase } from './database.js';
import type { Database } from './schema.js';

// Where one long transaction runs (an import: docs/inventory.md "Import internals").
//
// PostgreSQL: on a connection of the service's pool; other requests use the rest of the pool.
// SQLite: Kysely's driver has one connection, and a transaction holds it until it ends, so a
// million-row import would stall every request for its whole run. The import opens a second
// connection to the same file instead (openDatabase: WAL, busy_timeout). In WAL mode the
// service's connection keeps reading while the import writes; its own writes wait for the
// import's write lock (up to busy_timeout). An in-memory database cannot be shared: the import
// then runs on the service's connection.

export interface LongTransactionConnection {
  kysely: Kysely<Database>;
  /** Take SQLite's write lock at once (a first write), so that reads and writes see one snapshot. */
  lockFirst: boolean;
  /**
   * Where progress may be written while the long transaction is open, for every instance to see;
   * undefined when nothing can be (SQLite: the transaction holds the one write lock).
   */
  progressWriter: Executor | undefined;
  close(): Promise<void>;
}

export async function openLongTransaction(db: Db): Promise<LongTransactionConnection> {
  if (db.kind === 'postgres') return { kysely: db.kysely, lockFirst: false, progressWriter: db.kysely, close: async () => undefined };
  const main = await sql<{ file: string | null }>`select file from pragma_database_list where name = 'main'`.execute(db.kysely);
  const file = main.rows[0]?.file ?? '';
  if (file === '') return { kysely: db.kysely, lockFirst: true, progressWriter: undefined, close: async () => undefined };
  const second = openDatabase(`sqlite:${file}`);
  // A million-row transaction touches index pages all over the file (ids are random): a page
  // cache of 16 MiB instead of SQLite's 2 MiB spills and re-reads far fewer of them, and keeps
  // `openeks import` of a million rows under 300 MB (npm run bench -- import; 64 MiB went over).
  await sql`pragma cache_size = -16384`.execute(second.kysely);
  return { kysely: second.kysely, lockFirst: true, progressWriter: undefined, close: () => second.close() };
}
