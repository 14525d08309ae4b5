import { sql } from 'kysely';
import type { Executor } from '../../src/core/db/database.js';

/** Undoes migration 0007 (tests only): as if the database had never been upgraded past 0006. */
export async function revert0007(db: Executor): Promise<void> {
  await sql`drop table grants`.execute(db);
  await sql`delete from kysely_migration where name = ${'0007-grants'}`.execute(db);
}

/** Undoes migrations 0007 and 0006 (tests only): as if the database had never been upgraded past 0005. */
export async function revert0006(db: Executor): Promise<void> {
  await revert0007(db);
  await sql`drop table audit_chain_keys`.execute(db);
  await sql`alter table audit_log drop column key_epoch`.execute(db);
  await sql`delete from kysely_migration where name = ${'0006-audit-keys'}`.execute(db);
}
