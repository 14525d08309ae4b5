import { sql } from 'kysely';
import type { Executor } from '../../src/core/db/database.js';

/** Undoes the migrations after 0008 (tests only): each drops what it added, newest first. */
async function revertAfter0008(db: Executor): Promise<void> {
  await sql`drop table if exists openpgp_keys`.execute(db);
  await sql`delete from kysely_migration where name = ${'0013-openpgp-keys'}`.execute(db);
  await sql`drop table if exists exports`.execute(db);
  await sql`delete from kysely_migration where name = ${'0011-exports'}`.execute(db);
  await sql`drop table if exists signing_keys`.execute(db);
  await sql`delete from kysely_migration where name = ${'0010-signing-keys'}`.execute(db);
}

/** Undoes migration 0008 (tests only): as if the database had never been upgraded past 0007. */
export async function revert0008(db: Executor): Promise<void> {
  await revertAfter0008(db);
  await sql`drop table audit_devices`.execute(db);
  await sql`drop index grants_device_history`.execute(db);
  await sql`drop index grants_granted_audit`.execute(db);
  await sql`drop index grants_revoked_audit`.execute(db);
  await sql`alter table grants drop column granted_audit_id`.execute(db);
  await sql`alter table grants drop column revoked_audit_id`.execute(db);
  await sql`delete from kysely_migration where name = ${'0008-audit-devices'}`.execute(db);
}

/** Undoes migrations 0008 and 0007 (tests only): as if the database had never been upgraded past 0006. */
export async function revert0007(db: Executor): Promise<void> {
  await revert0008(db);
  await sql`drop table grants`.execute(db);
  await sql`delete from kysely_migration where name = ${'0007-grants'}`.execute(db);
}

/** Undoes migrations 0008 to 0006 (tests only): as if the database had never been upgraded past 0005. */
export async function revert0006(db: Executor): Promise<void> {
  await revert0007(db);
  await sql`drop table audit_chain_keys`.execute(db);
  await sql`alter table audit_log drop column key_epoch`.execute(db);
  await sql`delete from kysely_migration where name = ${'0006-audit-keys'}`.execute(db);
}
