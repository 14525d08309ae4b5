import { afterEach, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../../../test/harness.js';
import { testDatabaseKind } from '../../../../test/support/test-db.js';
import { systemClock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import type { Actor } from '../../access/actor.js';
import { dialects } from '../../db/dialect.js';
import type { DenialAggregation } from './audit-denials.js';
import { createAuditWriter, type AuditWriter } from './audit-writer.js';

// Repeated refusals fold into one access.deny_repeated (SEC-35); the HTTP side of it is in
// test/security/route-security.test.ts. Here: which refusals count as the same, the bound on what
// is tracked, and that folding still fails closed (SEC-13).

let t: TestApp | undefined;
let broken = false;
afterEach(async () => {
  broken = false;
  await t?.close();
  t = undefined;
});

/** An app whose audit writer can be broken and mended while it runs. */
async function appWith(aggregation: Partial<DenialAggregation>): Promise<TestApp> {
  let real: AuditWriter | undefined;
  const audit: AuditWriter = {
    async write(entry, trx) {
      if (broken) throw new AppError('audit_unavailable');
      real ??= createAuditWriter({ dialect: dialects[testDatabaseKind()], clock: systemClock });
      await real.write(entry, trx);
    },
  };
  t = await createTestApp({ container: { audit, denialAggregation: aggregation } });
  return t;
}

const actor = (userId: string | null, ip = '192.0.2.1'): Actor => ({ userId, role: userId ? 'user' : 'anonymous', ip, userAgent: 'denials test', requestId: null, authMethod: userId ? 'session' : 'none' });
const vault = { type: 'permission', id: 'vault.read' };
const missing = 'missing permission vault.read';

async function rows(app: TestApp) {
  const found = await app.container.db.kysely
    .selectFrom('audit_log')
    .select(['action', 'actor_id', 'ip', 'target_id', 'reason', 'details'])
    .where('action', 'in', ['access.deny', 'access.deny_repeated'])
    .orderBy('seq')
    .execute();
  return found.map((row) => ({ ...row, count: (JSON.parse(row.details) as { count?: number }).count }));
}

describe('folding repeated refusals', () => {
  it('keeps callers, targets and reasons apart; an anonymous caller is its address', async () => {
    const app = await appWith({ windowMs: 60_000 });
    const record = app.container.recordDenial;
    for (let i = 0; i < 3; i += 1) {
      await record({ actor: actor('usr_a'), target: vault, reason: missing });
      await record({ actor: actor('usr_b'), target: vault, reason: missing });
      await record({ actor: actor('usr_a'), target: { type: 'permission', id: 'keys.manage' }, reason: 'missing permission keys.manage' });
      await record({ actor: actor('usr_a'), target: { type: 'device', id: 'dev_1' }, reason: 'no such device in scope' });
      await record({ actor: actor('usr_a'), target: { type: 'device', id: 'dev_2' }, reason: 'no such device in scope' });
      await record({ actor: actor(null, '192.0.2.1'), target: vault, reason: missing });
      await record({ actor: actor(null, '192.0.2.2'), target: vault, reason: missing });
    }
    // The same user from another address is the same caller.
    await record({ actor: actor('usr_a', '198.51.100.1'), target: vault, reason: missing });
    expect((await rows(app)).map((row) => `${row.action} ${row.actor_id ?? row.ip} ${row.target_id}`)).toEqual([
      'access.deny usr_a vault.read',
      'access.deny usr_b vault.read',
      'access.deny usr_a keys.manage',
      'access.deny usr_a dev_1',
      'access.deny usr_a dev_2',
      'access.deny 192.0.2.1 vault.read',
      'access.deny 192.0.2.2 vault.read',
    ]);
    await app.container.denials.stop();
    const repeated = (await rows(app)).filter((row) => row.action === 'access.deny_repeated');
    expect(repeated.map((row) => `${row.actor_id ?? row.ip} ${row.target_id} ${row.count}`)).toEqual([
      'usr_a vault.read 3',
      'usr_b vault.read 2',
      'usr_a keys.manage 2',
      'usr_a dev_1 2',
      'usr_a dev_2 2',
      '192.0.2.1 vault.read 2',
      '192.0.2.2 vault.read 2',
    ]);
    // The record carries the last repeat's address.
    expect(repeated[0]?.ip).toBe('198.51.100.1');
  });

  it('settles the oldest window early when it tracks as many as it may', async () => {
    const app = await appWith({ windowMs: 60_000, maxTracked: 2 });
    const record = app.container.recordDenial;
    await record({ actor: actor('usr_a'), target: vault, reason: missing });
    await record({ actor: actor('usr_a'), target: vault, reason: missing });
    await record({ actor: actor('usr_b'), target: vault, reason: missing });
    await record({ actor: actor('usr_c'), target: vault, reason: missing });
    expect((await rows(app)).map((row) => `${row.action} ${row.actor_id} ${row.count ?? '-'}`)).toEqual([
      'access.deny usr_a -',
      'access.deny usr_b -',
      'access.deny_repeated usr_a 1',
      'access.deny usr_c -',
    ]);
  });

  it('writes every refusal with a window of 0', async () => {
    const app = await appWith({ windowMs: 0 });
    for (let i = 0; i < 3; i += 1) await app.container.recordDenial({ actor: actor('usr_a'), target: vault, reason: missing });
    await app.container.denials.stop();
    expect((await rows(app)).map((row) => row.action)).toEqual(['access.deny', 'access.deny', 'access.deny']);
  });

  it('fails closed: a refusal that cannot be written is 503, and the pending count waits for the next write', async () => {
    const app = await appWith({ windowMs: 60_000 });
    const record = app.container.recordDenial;
    for (let i = 0; i < 6; i += 1) await record({ actor: actor('usr_a'), target: vault, reason: missing });
    app.clock.advance(60_000);

    broken = true;
    await expect(app.container.denials.settleClosed()).rejects.toMatchObject({ code: 'audit_unavailable' });
    await expect(record({ actor: actor('usr_a'), target: vault, reason: missing })).rejects.toMatchObject({ code: 'audit_unavailable' });
    broken = false;
    expect(await rows(app)).toHaveLength(1);

    await record({ actor: actor('usr_a'), target: vault, reason: missing });
    expect((await rows(app)).map((row) => `${row.action} ${row.count ?? '-'}`)).toEqual(['access.deny -', 'access.deny_repeated 5', 'access.deny -']);
  });
});
