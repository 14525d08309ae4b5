import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, asSystem, type TestApp } from '../../../../test/harness.js';
import { auditOf } from '../../../../test/support/accounts.js';
import { AppError } from '../../../shared/errors.js';
import { newId } from '../../../lib/ids.js';
import { openMasterKeyProvider } from '../../vault/master-key/index.js';
import { createVault } from '../../vault/vault-service.js';
import { deviceKeyContext } from '../keys/key-crypto.js';
import type { ImportRow, ImportValues } from './import-row.js';
import type { ImportRowsInput } from './import-service.js';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => t.close());

const hex = (bytes = 16): string => randomBytes(bytes).toString('hex').toUpperCase();

function row(line: number, values: Partial<ImportValues> = {}): ImportRow {
  return {
    row: line,
    values: {
      serial: '63941885',
      manufacturer: 'KAM',
      kind: 'meter',
      medium: 'water-cold',
      model: 'MULTICAL 21',
      typeNo: '021-0001',
      configNo: 'C1',
      orderNo: 'ORD-1',
      deliveryNote: 'DN-1',
      customerNo: '',
      keyType: 'DEK',
      key: hex(),
      ...values,
    },
  };
}

async function* rowsOf(rows: readonly ImportRow[]): AsyncIterable<ImportRow> {
  yield* rows;
}

const options = (extra: Partial<ImportRowsInput> = {}): ImportRowsInput => ({ fileName: 'test.csv', format: 'csv', newVersion: false, ...asSystem, ...extra });

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected an AppError, got ${String(err)}`);
  return err;
}

async function counts() {
  const k = t.container.db.kysely;
  return {
    devices: (await k.selectFrom('devices').select('id').execute()).length,
    keys: (await k.selectFrom('device_keys').select('id').execute()).length,
  };
}

async function addCustomer(customerNo: string): Promise<string> {
  const id = newId('cus');
  const now = t.clock.now().toISOString();
  await t.container.db.kysely.insertInto('customer_accounts').values({ id, customer_no: customerNo, name: `Stadtwerke ${customerNo}`, name_search: `stadtwerke ${customerNo}`, contact_email: null, notes: null, created_at: now, updated_at: now }).execute();
  return id;
}

async function decryptKey(keyId: string, vault = t.container.vault): Promise<string> {
  const k = await t.container.db.kysely.selectFrom('device_keys').selectAll().where('id', '=', keyId).executeTakeFirstOrThrow();
  if (k.ciphertext === null) throw new Error('no ciphertext');
  const plain = await vault.decrypt({ ciphertext: k.ciphertext, context: deviceKeyContext({ id: k.id, deviceId: k.device_id, keyType: k.key_type, version: k.version }) });
  return plain.toString('hex').toUpperCase();
}

async function keysOf(serial: string) {
  return t.container.db.kysely
    .selectFrom('device_keys')
    .innerJoin('devices', 'devices.id', 'device_keys.device_id')
    .select(['device_keys.id', 'key_type', 'version', 'state', 'key_length', 'state_reason', 'state_changed_at', 'device_keys.import_id'])
    .where('devices.serial', '=', serial)
    .orderBy('key_type')
    .orderBy('version')
    .execute();
}

describe('importRows: a good file', () => {
  it('stores devices and active key versions, records the import and audits import.complete; the keys decrypt to the imported bytes', async () => {
    const customer = await addCustomer('4711');
    const dek1 = hex();
    const gak = hex(32);
    const dek2 = hex();
    const view = await t.container.imports.importRows(
      rowsOf([
        row(2, { serial: '63941885', key: dek1, customerNo: '4711' }),
        row(3, { serial: 'CONC-01', kind: 'concentrator', medium: 'other', model: 'Concentrator', keyType: 'GAK', key: gak, customerNo: '' }),
        row(4, { serial: '63941886', model: 'flowIQ 2200', medium: 'water-warm', key: dek2, customerNo: '4711' }),
      ]),
      options({ deliveryDate: '2026-10-01' }),
    );
    expect(view).toMatchObject({ status: 'succeeded', format: 'csv', fileName: 'test.csv', rowsDone: 3, devicesCreated: 3, keysCreated: 3, errorCode: null, problems: [], problemCount: 0, newVersion: false });
    expect(view.finishedAt).toBe(t.clock.now().toISOString());

    const devices = await t.container.db.kysely.selectFrom('devices').selectAll().orderBy('serial').execute();
    expect(devices.map((d) => [d.serial, d.kind, d.medium, d.model, d.driver_hint, d.customer_account_id, d.delivery_date, d.import_id])).toEqual([
      ['63941885', 'meter', 'water-cold', 'MULTICAL 21', 'multical21', customer, '2026-10-01', view.id],
      ['63941886', 'meter', 'water-warm', 'flowIQ 2200', 'flowiq2200', customer, '2026-10-01', view.id],
      ['CONC-01', 'concentrator', 'other', 'Concentrator', null, null, '2026-10-01', view.id],
    ]);
    expect(devices[0]).toMatchObject({ manufacturer: 'KAM', type_no: '021-0001', config_no: 'C1', order_no: 'ORD-1', delivery_note: 'DN-1' });

    const keys = await t.container.db.kysely.selectFrom('device_keys').selectAll().execute();
    expect(keys).toHaveLength(3);
    for (const k of keys) expect(k).toMatchObject({ version: 1, state: 'active', import_id: view.id, state_changed_at: t.clock.now().toISOString() });
    const [k1] = await keysOf('63941885');
    const [k2] = await keysOf('63941886');
    const [k3] = await keysOf('CONC-01');
    expect([k1?.key_length, k3?.key_length]).toEqual([16, 32]);
    expect(await decryptKey(k1?.id ?? '')).toBe(dek1);
    expect(await decryptKey(k2?.id ?? '')).toBe(dek2);
    expect(await decryptKey(k3?.id ?? '')).toBe(gak);

    const audit = await auditOf(t, 'import.complete');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ target_type: 'import', target_id: view.id, result: 'allowed', actor_role: 'system' });
    expect(JSON.parse(audit[0]?.details ?? '{}')).toEqual({ fileName: 'test.csv', format: 'csv', sha256: null, devicesCreated: 3, keysCreated: 3, newVersion: false });
    for (const key of [dek1, dek2, gak]) expect(JSON.stringify(audit)).not.toContain(key);

    expect(await t.container.imports.get({ ...asSystem, id: view.id })).toEqual(view);
    expect((await t.container.imports.list(asSystem)).map((i) => i.id)).toEqual([view.id]);
  });

  it("several rows of one device add its several key types; the delivery date defaults to the import's day; the customerNo option fills rows without one", async () => {
    const customer = await addCustomer('K-9');
    const view = await t.container.imports.importRows(
      rowsOf([row(2, { serial: 'CONC-7', kind: 'concentrator', medium: 'other', keyType: 'GAK' }), row(3, { serial: 'CONC-7', kind: 'concentrator', medium: 'other', keyType: 'GUEK' })]),
      options({ customerNo: 'K-9' }),
    );
    expect(view).toMatchObject({ status: 'succeeded', devicesCreated: 1, keysCreated: 2 });
    const device = await t.container.db.kysely.selectFrom('devices').selectAll().executeTakeFirstOrThrow();
    expect(device).toMatchObject({ serial: 'CONC-7', customer_account_id: customer, delivery_date: '2026-11-28' });
    expect((await keysOf('CONC-7')).map((k) => [k.key_type, k.version, k.state])).toEqual([
      ['GAK', 1, 'active'],
      ['GUEK', 1, 'active'],
    ]);
  });
});

describe('importRows: a bad file is rejected as a whole', () => {
  it('lists every bad row with its row, CSV column and reason, never the key; nothing is stored; import.reject is audited', async () => {
    const badKey = 'C0938B9F2CA9672BCD0013FA6AC75F6'; // 31 digits
    const err = await rejection(
      t.container.imports.importRows(
        rowsOf([
          row(2, { serial: '11111111' }),
          row(3, { serial: '1234567' }),
          row(4, { serial: '22222222', manufacturer: 'kam' }),
          row(5, { serial: '33333333', kind: 'sensor' }),
          row(6, { serial: '44444444', medium: 'steam' }),
          row(7, { serial: '55555555', keyType: 'AES' }),
          row(8, { serial: '66666666', key: badKey }),
          row(9, { serial: '77777777', key: 'XYZ' }),
          row(10, { serial: '88888888', model: 'M'.repeat(65) }),
          row(11, { serial: '99999999', customerNo: 'NOPE' }),
          { ...row(12, { serial: '12121212' }), problem: { field: 'row', reason: 'a row has 12 columns, this one 11' } },
          row(13, { serial: 'bad serial!', kind: 'concentrator' }),
        ]),
        options(),
      ),
    );
    expect(err.code).toBe('import_rejected');
    expect(err.status).toBe(422);
    expect(err.details).toEqual([
      { row: 3, field: 'serial', code: 'meter_serial_format', reason: 'a meter serial is its 8-digit wireless M-Bus ID' },
      { row: 4, field: 'manufacturer', code: 'manufacturer_format', reason: 'a manufacturer is the 3-letter M-Bus code in capitals, e.g. KAM' },
      { row: 5, field: 'kind', code: 'kind_unknown', reason: 'a kind is meter or concentrator' },
      { row: 6, field: 'medium', code: 'medium_unknown', reason: 'a medium is one of heat, cooling, water-cold, water-warm, electricity, gas, other' },
      { row: 7, field: 'key_type', code: 'key_type_unknown', reason: 'a key type is DEK, GPK1–GPK4, GUEK, GBEK, GAK, KEK or OPTICAL' },
      { row: 8, field: 'key', code: 'key_length', params: { length: 31 }, reason: 'a key is 32 or 64 hex digits (16 or 32 bytes), not 31' },
      { row: 9, field: 'key', code: 'key_hex', reason: 'a key is hexadecimal digits only' },
      { row: 10, field: 'model', code: 'text_too_long', params: { max: 64 }, reason: 'at most 64 characters' },
      { row: 12, field: 'row', reason: 'a row has 12 columns, this one 11' },
      { row: 13, field: 'serial', code: 'serial_format', reason: 'a serial is 1 to 32 letters, digits, ".", "_", "-" or "/"' },
      { row: 11, field: 'customer_no', code: 'customer_unknown', params: { customerNo: 'NOPE' }, reason: 'no customer account NOPE' },
    ]);
    expect(err.message).toBe('test.csv was not imported because 11 rows are not valid; nothing was stored.');
    expect(JSON.stringify(err.details)).not.toContain(badKey);
    expect(await counts()).toEqual({ devices: 0, keys: 0 });

    const stored = await t.container.db.kysely.selectFrom('imports').selectAll().executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ status: 'failed', error_code: 'import_rejected', problem_count: 11, devices_created: 0, keys_created: 0, rows_done: 12 });
    expect(JSON.parse(stored.problems ?? '[]')).toEqual(err.details);
    const view = await t.container.imports.get({ ...asSystem, id: stored.id });
    expect(view).toMatchObject({ status: 'failed', errorCode: 'import_rejected', problemCount: 11 });

    expect(await auditOf(t, 'import.complete')).toEqual([]);
    const reject = await auditOf(t, 'import.reject');
    expect(reject).toHaveLength(1);
    expect(reject[0]).toMatchObject({ target_type: 'import', target_id: stored.id, result: 'error' });
    expect(JSON.parse(reject[0]?.details ?? '{}')).toEqual({ fileName: 'test.csv', errorCode: 'import_rejected', problemCount: 11 });
  });

  it('keeps the first 1,000 problems in detail and counts all of them', async () => {
    const rows = Array.from({ length: 1_500 }, (_, i) => row(i + 2, { serial: String(10_000_000 + i), key: 'ABC' }));
    const err = await rejection(t.container.imports.importRows(rowsOf(rows), options()));
    expect(err.details).toHaveLength(1_000);
    expect(err.details?.[999]).toEqual({ row: 1_001, field: 'key', code: 'key_length', params: { length: 3 }, reason: 'a key is 32 or 64 hex digits (16 or 32 bytes), not 3' });
    const stored = await t.container.db.kysely.selectFrom('imports').select(['problem_count', 'problems']).executeTakeFirstOrThrow();
    expect(stored.problem_count).toBe(1_500);
    expect(JSON.parse(stored.problems ?? '[]')).toHaveLength(1_000);
    const reject = await auditOf(t, 'import.reject');
    expect(JSON.parse(reject[0]?.details ?? '{}')).toMatchObject({ problemCount: 1_500 });
  });

  it('two rows with the same device and key type, and rows of one device that disagree, are errors — also batches apart', async () => {
    const filler = Array.from({ length: 1_200 }, (_, i) => row(i + 4, { serial: String(20_000_000 + i) }));
    const err = await rejection(
      t.container.imports.importRows(
        rowsOf([
          row(2, { serial: '63941885' }),
          row(3, { serial: '63941885' }),
          ...filler,
          row(1_204, { serial: '63941885', keyType: 'DEK' }),
          row(1_205, { serial: '63941885', keyType: 'GAK', orderNo: 'ORD-2' }),
          row(1_206, { serial: '20000001', keyType: 'GAK', medium: 'heat' }),
        ]),
        options(),
      ),
    );
    expect(err.details).toEqual([
      { row: 3, field: 'key_type', code: 'duplicate_row', reason: 'duplicate of an earlier row' },
      { row: 1_204, field: 'key_type', code: 'duplicate_row', reason: 'duplicate of an earlier row' },
      { row: 1_205, field: 'order_no', code: 'differs_from_earlier_row', reason: 'differs from an earlier row of the same device' },
      { row: 1_206, field: 'medium', code: 'differs_from_earlier_row', reason: 'differs from an earlier row of the same device' },
    ]);
    expect(await counts()).toEqual({ devices: 0, keys: 0 });
  });

  it('a file without rows is rejected', async () => {
    const err = await rejection(t.container.imports.importRows(rowsOf([]), options()));
    expect(err.code).toBe('import_rejected');
    expect(err.details).toEqual([{ field: 'file', code: 'no_devices', reason: 'the file holds no devices' }]);
  });
});

describe('importRows: devices that exist already', () => {
  it('are refused without newVersion; with it, a new version becomes active and the old one deactivated', async () => {
    const first = hex();
    const second = hex();
    const one = await t.container.imports.importRows(rowsOf([row(2, { key: first })]), options());
    expect(one.status).toBe('succeeded');

    t.clock.advance(60_000);
    const err = await rejection(t.container.imports.importRows(rowsOf([row(2, { key: second })]), options()));
    expect(err.details).toEqual([{ row: 2, field: 'serial', code: 'device_exists', params: { manufacturer: 'KAM', serial: '63941885' }, reason: 'device KAM 63941885 already exists' }]);
    expect((await keysOf('63941885')).map((k) => [k.version, k.state])).toEqual([[1, 'active']]);

    const two = await t.container.imports.importRows(rowsOf([row(2, { key: second }), row(3, { keyType: 'GAK' })]), options({ newVersion: true }));
    expect(two).toMatchObject({ status: 'succeeded', devicesCreated: 0, keysCreated: 2, newVersion: true });
    const keys = await keysOf('63941885');
    expect(keys.map((k) => [k.key_type, k.version, k.state, k.import_id])).toEqual([
      ['DEK', 1, 'deactivated', one.id],
      ['DEK', 2, 'active', two.id],
      ['GAK', 1, 'active', two.id],
    ]);
    expect(keys[0]).toMatchObject({ state_reason: `superseded by import ${two.id}`, state_changed_at: t.clock.now().toISOString() });
    expect(await decryptKey(keys[0]?.id ?? '')).toBe(first);
    expect(await decryptKey(keys[1]?.id ?? '')).toBe(second);
    const device = await t.container.db.kysely.selectFrom('devices').select('import_id').executeTakeFirstOrThrow();
    expect(device.import_id).toBe(one.id);

    // The same key type twice for an existing device is still a duplicate.
    const dup = await rejection(t.container.imports.importRows(rowsOf([row(2), row(3)]), options({ newVersion: true })));
    expect(dup.details).toEqual([{ row: 3, field: 'key_type', code: 'duplicate_row', reason: 'duplicate of an earlier row' }]);
    expect((await keysOf('63941885')).map((k) => [k.key_type, k.version, k.state])).toEqual([
      ['DEK', 1, 'deactivated'],
      ['DEK', 2, 'active'],
      ['GAK', 1, 'active'],
    ]);
  });
});

describe('importRows: the vault after a rollback', () => {
  it('a rejected import that had encrypted keys, then a good import: its keys decrypt, also in a fresh vault', async () => {
    // 1,200 good rows (a batch is encrypted and written) before the bad last row.
    const rows = Array.from({ length: 1_200 }, (_, i) => row(i + 2, { serial: String(30_000_000 + i) }));
    const err = await rejection(t.container.imports.importRows(rowsOf([...rows, row(1_202, { serial: '1' })]), options()));
    expect(err.details).toEqual([{ row: 1_202, field: 'serial', code: 'meter_serial_format', reason: 'a meter serial is its 8-digit wireless M-Bus ID' }]);
    expect(await counts()).toEqual({ devices: 0, keys: 0 });

    const keys = [hex(), hex()];
    const good = await t.container.imports.importRows(rowsOf([row(2, { serial: '40000001', key: keys[0] }), row(3, { serial: '40000002', key: keys[1] })]), options());
    expect(good.status).toBe('succeeded');
    const stored = await t.container.db.kysely.selectFrom('device_keys').select(['id', 'data_key_id']).orderBy('id').execute();
    const dataKeys = await t.container.db.kysely.selectFrom('vault_data_keys').select('id').execute();
    for (const k of stored) expect(dataKeys.map((d) => d.id)).toContain(k.data_key_id);

    const provider = await openMasterKeyProvider(t.secrets.masterKey);
    const fresh = createVault({ db: t.container.db, clock: t.clock, provider });
    try {
      expect((await fresh.init()).sealed).toBe(false);
      const plain = await Promise.all((await keysOf('40000001')).concat(await keysOf('40000002')).map((k) => decryptKey(k.id, fresh)));
      expect(plain).toEqual(keys);
    } finally {
      await fresh.close();
      await provider.close();
    }
  });
});

describe('one import at a time', () => {
  it('a second import while one runs is a conflict; the running one shows its progress, then finishes', async () => {
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    let reachedGate: () => void = () => undefined;
    const atGate = new Promise<void>((resolve) => {
      reachedGate = resolve;
    });
    async function* slow(): AsyncIterable<ImportRow> {
      for (let i = 0; i < 1_500; i++) yield row(i + 2, { serial: String(50_000_000 + i) });
      reachedGate();
      await gate;
      yield row(1_502, { serial: '59999999' });
    }
    const first = t.container.imports.importRows(slow(), options({ fileName: 'slow.csv' }));
    await atGate;

    const second = await rejection(t.container.imports.importRows(rowsOf([row(2)]), options()));
    expect(second.code).toBe('conflict');
    expect(second.status).toBe(409);

    const [running] = await t.container.imports.list(asSystem);
    expect(running).toMatchObject({ fileName: 'slow.csv', status: 'running', rowsDone: 1_500, finishedAt: null });
    // The first batch is written inside the import's transaction: nobody else sees it yet.
    expect(await counts()).toEqual({ devices: 0, keys: 0 });

    open();
    const done = await first;
    expect(done).toMatchObject({ status: 'succeeded', rowsDone: 1_501, devicesCreated: 1_501, keysCreated: 1_501 });
    expect(await counts()).toEqual({ devices: 1_501, keys: 1_501 });
    expect((await t.container.imports.importRows(rowsOf([row(2, { serial: '60000000' })]), options())).status).toBe('succeeded');
  });

  it('refuses an impossible delivery date before it starts', async () => {
    const err = await rejection(t.container.imports.importRows(rowsOf([row(2)]), options({ deliveryDate: '2026-02-30' })));
    expect(err.code).toBe('validation_failed');
    expect(err.details).toEqual([{ field: 'deliveryDate', reason: 'no such day' }]);
    expect(await t.container.db.kysely.selectFrom('imports').select('id').execute()).toEqual([]);
  });
});
