import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, asSystem, type TestApp } from '../../../../test/harness.js';
import { auditOf } from '../../../../test/support/accounts.js';
import { AppError } from '../../../shared/errors.js';
import { isMedium, METER_SERIAL } from '../../../shared/inventory/device-fields.js';
import { deviceKeyContext } from '../keys/key-crypto.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const seed = (app: TestApp, devices: number, seedValue?: number) =>
  app.container.demo.seed({ devices, ...(seedValue === undefined ? {} : { seed: seedValue }), ...asSystem });

async function inventory(app: TestApp) {
  return app.container.db.kysely
    .selectFrom('devices')
    .leftJoin('customer_accounts', 'customer_accounts.id', 'devices.customer_account_id')
    .select(['serial', 'manufacturer', 'kind', 'medium', 'model', 'type_no', 'order_no', 'delivery_note', 'delivery_date', 'customer_no', 'customer_accounts.name'])
    .orderBy('serial')
    .execute();
}

describe('demo seed', () => {
  it('creates customers, devices and keys through the import, the same inventory for the same seed, and audits demo.seed', async () => {
    const result = await seed(t, 700, 42);
    expect(result).toMatchObject({ seed: 42, customers: 3, customersCreated: 3, devices: 700, imports: 14 });
    const customers = await t.container.db.kysely.selectFrom('customer_accounts').select(['customer_no', 'name']).orderBy('customer_no').execute();
    expect(customers).toEqual([
      { customer_no: 'DEMO-0001', name: 'Stadtwerke Musterstadt' },
      { customer_no: 'DEMO-0002', name: 'Stadtwerke Neustadt' },
      { customer_no: 'DEMO-0003', name: 'Stadtwerke Altdorf' },
    ]);

    const devices = await inventory(t);
    expect(devices).toHaveLength(700);
    for (const d of devices) {
      expect(d.manufacturer).toBe('KAM');
      expect(isMedium(d.medium)).toBe(true);
      if (d.kind === 'meter') expect(d.serial).toMatch(METER_SERIAL);
      const date = d.delivery_date ?? '';
      expect([date >= '2024-12-01', date <= '2026-11-28']).toEqual([true, true]);
      expect(d.customer_no).toMatch(/^DEMO-000[123]$/);
    }
    expect(new Set(devices.map((d) => d.delivery_date)).size).toBeGreaterThan(10);
    expect(new Set(devices.map((d) => d.model)).size).toBeGreaterThan(3);

    const keys = await t.container.db.kysely.selectFrom('device_keys').selectAll().execute();
    expect(keys.length).toBe(result.keys);
    expect(keys.every((k) => k.state === 'active' && k.version === 1 && k.key_length === 16)).toBe(true);
    const sample = keys[0];
    if (!sample?.ciphertext) throw new Error('no key');
    const plain = await t.container.vault.decrypt({ ciphertext: sample.ciphertext, context: deviceKeyContext({ id: sample.id, deviceId: sample.device_id, keyType: sample.key_type, version: sample.version }) });
    expect(plain).toHaveLength(16);

    const audit = await auditOf(t, 'demo.seed');
    expect(audit).toHaveLength(1);
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({ seed: 42, customers: 3, customersCreated: 3, devices: 700, keys: result.keys, imports: 14 });
    expect(await auditOf(t, 'import.complete')).toHaveLength(14);

    const other = await createTestApp();
    try {
      await seed(other, 700, 42);
      expect(await inventory(other)).toEqual(devices);
    } finally {
      await other.close();
    }
  });

  it.each([0, -1, 10_000_001, 1.5])('refuses %d devices and creates nothing', async (n) => {
    const err: unknown = await seed(t, n).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'validation_failed', details: [{ field: 'devices', reason: 'out of range' }] });
    expect(await t.container.db.kysely.selectFrom('customer_accounts').select('id').execute()).toEqual([]);
    expect(await auditOf(t, 'demo.seed')).toEqual([]);
  });
});
