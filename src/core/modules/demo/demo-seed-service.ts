import { randomInt } from 'node:crypto';
import type { Clock } from '../../../lib/clock.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import { createRng } from '../../../lib/prng.js';
import type { AccessGuard } from '../../access/access-guard.js';
import type { Actor } from '../../access/actor.js';
import type { Principal } from '../../access/principal.js';
import type { Db } from '../../db/database.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { CustomersRepo } from '../customers/customers-repo.js';
import type { ImportService } from '../imports/import-service.js';
import { deliveries, deliveryRows, demoCustomers } from './demo-inventory.js';

export const MAX_DEMO_DEVICES = 10_000_000;

export interface DemoSeedResult {
  seed: number;
  customers: number;
  customersCreated: number;
  devices: number;
  keys: number;
  imports: number;
}

/**
 * `openeks demo seed`: customer accounts written directly, devices and keys through the import
 * (so they pass the same checks and encryption), one import per delivery. Audited as `demo.seed`.
 */
export async function seedDemo(
  deps: { db: Db; customers: Pick<CustomersRepo, 'numbersStartingWith' | 'insertMany'>; imports: Pick<ImportService, 'importRows'>; guard: AccessGuard; audit: AuditWriter; clock: Clock },
  input: { devices: number; seed?: number; principal: Principal; actor: Actor },
): Promise<DemoSeedResult> {
  await deps.guard.require(input.principal, input.actor, 'devices.import');
  const { devices } = input;
  if (!Number.isInteger(devices) || devices < 1 || devices > MAX_DEMO_DEVICES) {
    throw new AppError('validation_failed', `The number of devices must be 1 to ${MAX_DEMO_DEVICES.toLocaleString('en')}.`, { details: [{ field: 'devices', reason: 'out of range' }] });
  }
  const seed = input.seed ?? randomInt(1, 2 ** 31);
  const random = createRng(seed);
  const customers = demoCustomers(Math.max(3, Math.round(devices / 2_000)));
  const now = deps.clock.now();

  let customersCreated = 0;
  await deps.db.kysely.transaction().execute(async (trx) => {
    const existing = new Set(await deps.customers.numbersStartingWith('DEMO-', trx));
    const fresh = customers.filter((c) => !existing.has(c.customerNo));
    for (let i = 0; i < fresh.length; i += 500) {
      const at = now.toISOString();
      const rows = fresh.slice(i, i + 500).map((c) => ({ id: newId('cus'), customer_no: c.customerNo, name: c.name, name_search: c.name.toLowerCase(), contact_email: null, notes: 'demo data', created_at: at, updated_at: at }));
      await deps.customers.insertMany(rows, trx);
    }
    customersCreated = fresh.length;
  });

  // 8-digit serials counting up from a start that the seed chooses, so that two seeds rarely meet.
  let nextSerial = 10_000_000 + random.int(89_999_999 - devices - 10_000_000);
  let keys = 0;
  const plan = deliveries(devices, now, random);
  for (const delivery of plan) {
    const rows = deliveryRows({ devices: delivery.devices, firstSerial: nextSerial, customers, random, year: delivery.deliveryDate.slice(0, 4) });
    nextSerial += delivery.devices;
    const view = await deps.imports.importRows(rows, {
      fileName: `demo seed ${seed}, delivery ${delivery.deliveryDate}`,
      format: null,
      newVersion: false,
      deliveryDate: delivery.deliveryDate,
      principal: input.principal,
      actor: input.actor,
    });
    keys += view.keysCreated;
  }

  const result: DemoSeedResult = { seed, customers: customers.length, customersCreated, devices, keys, imports: plan.length };
  await deps.db.kysely.transaction().execute((trx) =>
    deps.audit.write({ actor: input.actor, action: 'demo.seed', target: { type: 'demo', id: String(seed) }, result: 'allowed', details: { ...result } }, trx),
  );
  return result;
}
