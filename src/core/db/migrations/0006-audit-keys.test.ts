import { afterEach, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, systemActor, type TestApp } from '../../../../test/harness.js';
import { revert0006 } from '../../../../test/support/migration-reverts.js';
import { createTestDb, type TestDb } from '../../../../test/support/test-db.js';
import { envVar } from '../../../lib/env-vars.js';
import { createAuditWriter } from '../../modules/audit/audit-writer.js';
import { systemClock } from '../../../lib/clock.js';
import { migrateToLatest } from '../migrate.js';

// The upgrade to the keyed audit chain: records written before it keep their SHA-256 link (the
// triggers forbid rewriting them) and the first keyed record, written at the first start, pins them.
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('migration 0006-audit-keys', () => {
  it('keeps the older records as they are; the first start keys the chain after them, and it verifies', async () => {
    const testDb: TestDb = await createTestDb();
    cleanups.push(() => testDb.cleanup());
    // Records as an older version wrote them: plain SHA-256, before the migration.
    const plain = createAuditWriter({ dialect: testDb.db.dialect, clock: systemClock });
    for (const id of ['mail_1', 'mail_2']) {
      await testDb.db.kysely.transaction().execute((trx) => plain.write({ actor: systemActor, action: 'mail.read', target: { type: 'mail', id }, result: 'allowed' }, trx));
    }
    await revert0006(testDb.db.kysely);
    const before = await testDb.db.kysely.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq').execute();
    expect(await migrateToLatest(testDb.db)).toEqual(['0006-audit-keys', '0007-grants', '0008-audit-devices', '0010-signing-keys', '0011-exports', '0013-openpgp-keys']);
    await testDb.db.close();

    const t: TestApp = await createTestApp({ env: { [envVar.databaseUrl]: testDb.url } });
    cleanups.push(() => t.close());
    const rows = await t.container.db.kysely.selectFrom('audit_log').select(['seq', 'hash', 'action', 'key_epoch']).orderBy('seq').execute();
    expect(rows.slice(0, 2)).toEqual(before.map((r) => ({ ...r, action: 'mail.read', key_epoch: null })));
    expect(rows.slice(2).map((r) => [r.action, r.key_epoch])).toEqual([
      ['vault.init', null],
      ['audit.key_create', 1],
      ['signing_key.create', 1],
    ]);
    expect(await t.container.auditTrail.verify(asSystem)).toMatchObject({ ok: true, records: 5, keyed: 2, unkeyedSinceKeying: 0 });
  });
});
