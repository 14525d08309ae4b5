import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, asSystem, type TestApp } from '../../../../test/harness.js';
import { createCustomersRepo } from './customers-repo.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('findByNumber', () => {
  it('finds the account by its exact number, blanks around it ignored, also inside a transaction', async () => {
    const created = await t.container.customers.create({ customerNo: 'IMP-7', name: 'Importkunde', ...asSystem });
    expect(await createCustomersRepo(t.container.db.kysely).findByNumber('IMP-7')).toMatchObject({ id: created.id, customer_no: 'IMP-7', name: 'Importkunde' });
    expect(await createCustomersRepo(t.container.db.kysely).findByNumber(' IMP-7\t')).toMatchObject({ id: created.id });
    await t.container.db.kysely.transaction().execute(async (trx) => {
      await trx.updateTable('customer_accounts').set({ name: 'Im Import' }).where('id', '=', created.id).execute();
      // Sees the transaction's own, uncommitted change.
      expect(await createCustomersRepo(t.container.db.kysely).findByNumber('IMP-7', trx)).toMatchObject({ name: 'Im Import' });
    });
  });

  it('answers undefined for a number no account has: not a prefix, not another case', async () => {
    await t.container.customers.create({ customerNo: 'IMP-8', name: 'Andere', ...asSystem });
    expect(await createCustomersRepo(t.container.db.kysely).findByNumber('IMP-')).toBeUndefined();
    expect(await createCustomersRepo(t.container.db.kysely).findByNumber('imp-8')).toBeUndefined();
    expect(await createCustomersRepo(t.container.db.kysely).findByNumber('IMP-9')).toBeUndefined();
  });
});
