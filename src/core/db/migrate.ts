import { type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Db } from './database.js';
import { foundation } from './migrations/0001-foundation.js';
import { accounts } from './migrations/0002-accounts.js';
import { inventory } from './migrations/0003-inventory.js';
import { superusers } from './migrations/0004-superusers.js';
import { mailBodies } from './migrations/0005-mail-bodies.js';
import { auditKeys } from './migrations/0006-audit-keys.js';
import { grants } from './migrations/0007-grants.js';
import { auditDevices } from './migrations/0008-audit-devices.js';
import { signingKeys } from './migrations/0010-signing-keys.js';
import { openpgpKeys } from './migrations/0013-openpgp-keys.js';

// One ordered list of migrations for both databases. Names never change once released.
function migrationsFor(db: Db): Record<string, Migration> {
  return {
    '0001-foundation': foundation(db.kind),
    '0002-accounts': accounts(db.kind),
    '0003-inventory': inventory(db.kind),
    '0004-superusers': superusers(db.kind),
    '0005-mail-bodies': mailBodies(db.kind),
    '0006-audit-keys': auditKeys(db.kind),
    '0007-grants': grants(db.kind),
    '0008-audit-devices': auditDevices(db.kind),
    '0010-signing-keys': signingKeys(db.kind),
    '0013-openpgp-keys': openpgpKeys(db.kind),
  };
}

function migrator(db: Db): Migrator {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(db) };
  return new Migrator({ db: db.kysely, provider });
}

export async function migrateToLatest(db: Db): Promise<string[]> {
  const { error, results } = await migrator(db).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('migration failed');
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

export interface SchemaStatus {
  pending: string[];
  /** Migrations recorded in the database that this build does not know: a newer build ran. */
  unknown: string[];
}

/** SEC-32: the boot self-test compares the database's migrations with this build's. */
export async function schemaStatus(db: Db): Promise<SchemaStatus> {
  const known = Object.keys(migrationsFor(db));
  const infos = await migrator(db).getMigrations();
  const pending = infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
  let executed: string[] = [];
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db.kysely);
    executed = rows.map((r) => r.name);
  } catch {
    executed = [];
  }
  return { pending, unknown: executed.filter((name) => !known.includes(name)) };
}
