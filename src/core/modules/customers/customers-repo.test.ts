import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, systemActor, type TestApp } from '../../../../test/harness.js';
import { findCustomerByNumber } from './customers-repo.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

describe('findCustomerByNumber (the import resolves its rows with it)', () => {
  it('finds the account by its exact number, blanks around it ignored, also inside a transaction', async () => {
    const created = await t.container.customers.create({ customerNo: 'IMP-7', name: 'Importkunde', actor: systemActor });
    expect(await findCustomerByNumber(t.container.db, 'IMP-7')).toMatchObject({ id: created.id, customer_no: 'IMP-7', name: 'Importkunde' });
    expect(await findCustomerByNumber(t.container.db, ' IMP-7\t')).toMatchObject({ id: created.id });
    await t.container.db.kysely.transaction().execute(async (trx) => {
      await trx.updateTable('customer_accounts').set({ name: 'Im Import' }).where('id', '=', created.id).execute();
      // Sees the transaction's own, uncommitted change.
      expect(await findCustomerByNumber(t.container.db, 'IMP-7', trx)).toMatchObject({ name: 'Im Import' });
    });
  });

  it('answers undefined for a number no account has: not a prefix, not another case', async () => {
    await t.container.customers.create({ customerNo: 'IMP-8', name: 'Andere', actor: systemActor });
    expect(await findCustomerByNumber(t.container.db, 'IMP-')).toBeUndefined();
    expect(await findCustomerByNumber(t.container.db, 'imp-8')).toBeUndefined();
    expect(await findCustomerByNumber(t.container.db, 'IMP-9')).toBeUndefined();
  });
});
