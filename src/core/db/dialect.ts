import { type RawBuilder, sql } from 'kysely';
import type { DbKind, Executor } from './database.js';

// What differs between SQLite and PostgreSQL, said once, as operations the modules ask for
// instead of asking which database they run on (docs/architecture.md "Storage"). The long
// import transaction's connection and the planner statistics have files of their own here
// (long-transaction.ts, planner-statistics.ts).

export interface Dialect {
  /**
   * Serialises appends to the audit trail's hash chain inside `trx`, so that several instances
   * never fork it. PostgreSQL: a transaction-scoped advisory lock. SQLite: its write lock already
   * admits one writer at a time.
   */
  lockAuditChain(trx: Executor): Promise<void>;
  /** A text expression compared byte by byte whatever the locale (SQLite's BINARY; "C" on PostgreSQL). */
  bytewise(expression: RawBuilder<string>): RawBuilder<string>;
  /**
   * A subquery picking rows to claim: on PostgreSQL its rows are locked for the claiming
   * statement and rows another instance is claiming at this moment are skipped, not waited for;
   * SQLite has one writer at a time and needs nothing.
   */
  skipLockedRows<Q extends { forUpdate(): Q; skipLocked(): Q }>(query: Q): Q;
  /**
   * Where bookkeeping goes that must not vanish with a caller's rollback (the vault's data keys
   * and counters). PostgreSQL: the pool, another connection. SQLite has one connection: inside a
   * caller's transaction the bookkeeping rides along in it.
   */
  bookkeepingWriter(pool: Executor, trx: Executor | undefined): Executor;
}

const sqlite: Dialect = {
  async lockAuditChain() {
    // The write lock of the caller's transaction serialises appends.
  },
  bytewise: (expression) => expression,
  skipLockedRows: (query) => query,
  bookkeepingWriter: (pool, trx) => trx ?? pool,
};

// Any constant unique to the audit chain; every instance of one deployment must use the same.
const auditChainLock = 7305261;

const postgres: Dialect = {
  async lockAuditChain(trx) {
    await sql`select pg_advisory_xact_lock(${sql.lit(auditChainLock)})`.execute(trx);
  },
  bytewise: (expression) => sql<string>`(${expression} collate "C")`,
  skipLockedRows: (query) => query.forUpdate().skipLocked(),
  bookkeepingWriter: (pool) => pool,
};

export const dialects: Readonly<Record<DbKind, Dialect>> = { sqlite, postgres };
