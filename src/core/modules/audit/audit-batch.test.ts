import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, systemActor, type TestApp } from '../../../../test/harness.js';
import { isAppError } from '../../../shared/errors.js';
import { createAuditBatch } from './audit-batch.js';
import type { AuditEntry, AuditWriter } from './audit-writer.js';

// Group commit (audit-batch.ts): concurrent records in one transaction, each caller released only
// after that transaction committed; a failed commit fails every caller of the batch and leaves
// none of its records.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const entry = (id: string): AuditEntry => ({ actor: systemActor, action: 'key.read', target: { type: 'device', id }, result: 'allowed' });
const readsOf = async (prefix: string) =>
  (await t.container.db.kysely.selectFrom('audit_log').select(['target_id', 'seq']).where('action', '=', 'key.read').where('target_id', 'like', `${prefix}%`).orderBy('seq').execute()).map((r) => r.target_id);

/** The real writer, counting the transactions it is called in. */
function countingWriter(failOn?: string): { writer: AuditWriter; transactions: Set<unknown> } {
  const transactions = new Set<unknown>();
  return {
    transactions,
    writer: {
      async write(e, trx) {
        transactions.add(trx);
        if (e.target?.id === failOn) throw new Error('disk full');
        await t.container.audit.write(e, trx);
      },
    },
  };
}

describe('audit batch', () => {
  it('writes concurrent records in one transaction, and each caller returns only once they are committed', async () => {
    const { writer, transactions } = countingWriter();
    const batch = createAuditBatch({ db: t.container.db, audit: writer });
    const committedWhenReleased: number[] = [];
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        batch.write(entry(`ok-${String(i).padStart(2, '0')}`)).then(async () => {
          // Visible from outside the batch's transaction: it committed before this caller went on.
          committedWhenReleased.push((await readsOf('ok-')).length);
        }),
      ),
    );
    expect(transactions.size).toBe(1);
    expect(await readsOf('ok-')).toHaveLength(20);
    expect(committedWhenReleased.every((n) => n === 20)).toBe(true);
    expect((await t.container.auditTrail.verify({ principal: { kind: 'system', userId: null, roles: ['operator'], customerAccountIds: [] }, actor: systemActor })).ok).toBe(true);
  });

  it('fails every caller of a batch whose commit fails, keeps none of its records, and goes on with the next batch', async () => {
    const { writer } = countingWriter('bad-1');
    const batch = createAuditBatch({ db: t.container.db, audit: writer });
    const results = await Promise.allSettled([batch.write(entry('bad-0')), batch.write(entry('bad-1')), batch.write(entry('bad-2'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of results) expect(r.status === 'rejected' && isAppError(r.reason) ? r.reason.code : null).toBe('audit_unavailable');
    expect(await readsOf('bad-')).toEqual([]);
    await batch.write(entry('bad-after'));
    expect(await readsOf('bad-')).toEqual(['bad-after']);
  });

  it('with the real writer: one INSERT per batch, in order, each record linked to its devices, and the chain verifies', async () => {
    const batch = createAuditBatch({ db: t.container.db, audit: t.container.audit });
    const ids = Array.from({ length: 12 }, (_, i) => `many-${String(i).padStart(2, '0')}`);
    await Promise.all(ids.map((id) => batch.write({ ...entry(id), devices: [`dev_${id}`, `dev_${id}_b`] })));
    expect(await readsOf('many-')).toEqual(ids);
    const links = await t.container.db.kysely
      .selectFrom('audit_devices')
      .innerJoin('audit_log', 'audit_log.seq', 'audit_devices.audit_seq')
      .select(['audit_log.target_id', 'audit_devices.device_id'])
      .where('audit_log.target_id', 'like', 'many-%')
      .orderBy('audit_log.seq')
      .orderBy('audit_devices.device_id')
      .execute();
    expect(links).toEqual(ids.flatMap((id) => [{ target_id: id, device_id: `dev_${id}` }, { target_id: id, device_id: `dev_${id}_b` }]));
    expect((await t.container.auditTrail.verify({ principal: { kind: 'system', userId: null, roles: ['operator'], customerAccountIds: [] }, actor: systemActor })).ok).toBe(true);
  });

  it('splits a burst into batches of at most maxBatch, in order', async () => {
    const { writer, transactions } = countingWriter();
    const batch = createAuditBatch({ db: t.container.db, audit: writer, maxBatch: 4 });
    await Promise.all(Array.from({ length: 10 }, (_, i) => batch.write(entry(`split-${String(i).padStart(2, '0')}`))));
    expect(transactions.size).toBe(3);
    expect(await readsOf('split-')).toEqual(Array.from({ length: 10 }, (_, i) => `split-${String(i).padStart(2, '0')}`));
    await batch.drain();
  });
});
