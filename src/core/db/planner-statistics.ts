import { sql } from 'kysely';
import type { Db, Executor } from './database.js';

// Planner statistics during one long transaction that adds many rows (an import).
//
// PostgreSQL plans each batch's lookups (devices by manufacturer and serial, key versions by
// device) from the tables' statistics, and statistics taken before the import — of an empty
// table, or never — know nothing of the rows the import adds inside its transaction, which no
// ANALYZE outside it can see. The planner then guesses that a batch's 1,000 serials match most
// of the table and reads every device of the manufacturer instead (at 300,000 devices: 240 ms
// for a batch's lookup instead of 3 ms, and growing with every batch). ANALYZE inside the
// transaction samples the import's own rows as well. It runs whenever the import has added more
// rows to a table than its statistics counted, so once per doubling of the table (a few hundred
// milliseconds at a million rows). Its lock (SHARE UPDATE EXCLUSIVE, held to the end of the
// transaction) makes VACUUM and ANALYZE of the two tables wait for the import; reads and writes
// are not affected. SQLite's planner takes the unique index without statistics: nothing to do.

export type GrowingTable = 'devices' | 'device_keys';

async function counted(table: GrowingTable, trx: Executor): Promise<number> {
  // -1: never analysed.
  const row = await sql<{ reltuples: number }>`select reltuples::float8 as reltuples from pg_class where oid = ${table}::regclass`.execute(trx);
  return Number(row.rows[0]?.reltuples ?? -1);
}

/** Called after each batch with the rows the import has added so far. */
export function createStatisticsRefresh(db: Pick<Db, 'kind'>): (added: Record<GrowingTable, number>, trx: Executor) => Promise<void> {
  // Per table: rows the statistics counted, and rows the import had added when they were taken.
  const known = new Map<GrowingTable, { rows: number; added: number }>();
  return async (added, trx) => {
    if (db.kind !== 'postgres') return;
    for (const table of ['devices', 'device_keys'] as const) {
      const last = known.get(table) ?? { rows: await counted(table, trx), added: 0 };
      known.set(table, last);
      if (added[table] - last.added <= last.rows) continue;
      await sql`analyze ${sql.table(table)}`.execute(trx);
      known.set(table, { rows: await counted(table, trx), added: added[table] });
    }
  };
}
