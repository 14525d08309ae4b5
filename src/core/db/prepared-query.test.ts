import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../../test/support/test-db.js';
import { prepareQuery, statementNameOf } from './prepared-query.js';

// A query compiled once and run with fresh values (prepared-query.ts): each run binds its own
// values in the builder's order, constants stay, inside a transaction too, and on PostgreSQL the
// text runs as a named statement (database.ts) whose results stay right across runs.

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  const now = new Date().toISOString();
  for (const [id, no] of [
    ['cus_pq_a', 'PQ-1'],
    ['cus_pq_b', 'PQ-2'],
  ] as const) {
    await t.db.kysely.insertInto('customer_accounts').values({ id, customer_no: no, name: `Name ${no}`, name_search: `name ${no}`.toLowerCase(), contact_email: null, notes: null, created_at: now, updated_at: now }).execute();
  }
});
afterAll(async () => t?.cleanup());

describe('prepareQuery', () => {
  const byNo = () =>
    prepareQuery(['no', 'other'], (p) =>
      t.db.kysely
        .selectFrom('customer_accounts')
        .select(['id', 'customer_no'])
        // the constant 'PQ-%' is a parameter of the builder's own that every run keeps
        .where((eb) => eb.and([eb('customer_no', 'like', 'PQ-%'), eb.or([eb('customer_no', '=', p.other), eb('customer_no', '=', p.no)])]))
        .orderBy('customer_no'),
    );

  it('binds each run its own values by name and keeps the builder constants', async () => {
    const q = byNo();
    expect(await q.run(t.db.kysely, { no: 'PQ-1', other: 'none' })).toEqual([{ id: 'cus_pq_a', customer_no: 'PQ-1' }]);
    expect(await q.run(t.db.kysely, { no: 'PQ-2', other: 'PQ-1' })).toEqual([
      { id: 'cus_pq_a', customer_no: 'PQ-1' },
      { id: 'cus_pq_b', customer_no: 'PQ-2' },
    ]);
    expect(await q.run(t.db.kysely, { no: 'X', other: 'Y' })).toEqual([]);
    expect(statementNameOf(q.sql)).toMatch(/^openeks_prepared_\d+$/);
    expect(statementNameOf('select 1')).toBeUndefined();
  });

  it('runs inside a transaction and sees its uncommitted rows', async () => {
    const q = byNo();
    await t.db.kysely
      .transaction()
      .execute(async (trx) => {
        const now = new Date().toISOString();
        await trx.insertInto('customer_accounts').values({ id: 'cus_pq_c', customer_no: 'PQ-3', name: 'Name PQ-3', name_search: 'name pq-3', contact_email: null, notes: null, created_at: now, updated_at: now }).execute();
        expect(await q.run(trx, { no: 'PQ-3', other: 'none' })).toEqual([{ id: 'cus_pq_c', customer_no: 'PQ-3' }]);
        throw new Error('roll back');
      })
      .catch(() => undefined);
    expect(await q.run(t.db.kysely, { no: 'PQ-3', other: 'none' })).toEqual([]);
  });

  it('refuses a name the builder does not bind', () => {
    expect(() => prepareQuery(['no', 'unused'], (p) => t.db.kysely.selectFrom('customer_accounts').select('id').where('customer_no', '=', p.no))).toThrow(/unused not bound/);
  });
});
