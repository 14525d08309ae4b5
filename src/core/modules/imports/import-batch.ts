import { newId } from '../../../lib/ids.js';
import type { Executor } from '../../db/database.js';
import type { Vault } from '../../vault/vault-service.js';
import { driverHintFor } from '../../../shared/inventory/device-fields.js';
import { deviceKeyContext } from '../keys/key-crypto.js';
import type { ProblemList } from './import-problems.js';
import type { ValidRow } from './import-validate.js';

// One batch of valid rows inside the import's transaction: one query for the batch's customer
// accounts (cached), one for its devices, one for those devices' key versions, then multi-row
// inserts. Devices and keys written by earlier batches of this import carry its import_id, which
// tells "an earlier row of this file" from "already in the inventory" without keeping the file's
// devices in memory. Once the file has a problem nothing will be committed, so later batches skip
// the encryption and write key rows without ciphertext: only to find the later problems.

export interface ImportState {
  trx: Executor;
  vault: Pick<Vault, 'encrypt'>;
  importId: string;
  newVersion: boolean;
  /** YYYY-MM-DD */
  deliveryDate: string;
  /** ISO time stamp of the import's rows. */
  now: string;
  problems: ProblemList;
  devicesCreated: number;
  keysCreated: number;
  /** customer_no → account id, null for a number with no account. */
  customers: Map<string, string | null>;
}

interface DeviceFields {
  kind: string;
  medium: string;
  model: string | null;
  typeNo: string | null;
  configNo: string | null;
  orderNo: string | null;
  deliveryNote: string | null;
  customerAccountId: string | null;
}

const fieldColumns: ReadonlyArray<[keyof DeviceFields, string]> = [
  ['kind', 'kind'],
  ['medium', 'medium'],
  ['model', 'model'],
  ['typeNo', 'type_no'],
  ['configNo', 'config_no'],
  ['orderNo', 'order_no'],
  ['deliveryNote', 'delivery_note'],
  ['customerAccountId', 'customer_no'],
];

interface KnownDevice {
  id: string;
  /** Created by this import (an earlier row of the file) rather than before it. */
  fromThisImport: boolean;
  fields: DeviceFields;
}

interface KnownKeys {
  maxVersion: number;
  activeId: string | undefined;
  addedByThisImport: boolean;
}

/** Rows per multi-row INSERT: 16 columns × 1,000 stays below SQLite's 32,766 parameters. */
const INSERT_CHUNK = 1_000;
const CUSTOMER_CACHE_MAX = 100_000;

const deviceKey = (manufacturer: string, serial: string): string => `${manufacturer} ${serial}`;
const keyKey = (deviceId: string, keyType: string): string => `${deviceId} ${keyType}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function resolveCustomers(state: ImportState, rows: readonly ValidRow[]): Promise<void> {
  const missing = [...new Set(rows.map((r) => r.customerNo).filter((no): no is string => no !== null && !state.customers.has(no)))];
  if (missing.length === 0) return;
  if (state.customers.size + missing.length > CUSTOMER_CACHE_MAX) state.customers.clear();
  for (const part of chunks(missing, INSERT_CHUNK)) {
    const found = await state.trx.selectFrom('customer_accounts').select(['id', 'customer_no']).where('customer_no', 'in', part).execute();
    for (const no of part) state.customers.set(no, null);
    for (const c of found) state.customers.set(c.customer_no, c.id);
  }
}

async function knownDevices(state: ImportState, rows: readonly ValidRow[]): Promise<Map<string, KnownDevice>> {
  const serials = [...new Set(rows.map((r) => r.serial))];
  const manufacturers = [...new Set(rows.map((r) => r.manufacturer))];
  const wanted = new Set(rows.map((r) => deviceKey(r.manufacturer, r.serial)));
  const known = new Map<string, KnownDevice>();
  for (const part of chunks(serials, INSERT_CHUNK)) {
    // Both columns of the unique (manufacturer, serial) index: on PostgreSQL the list indexes on
    // serial use the "C" collation, which a plain `serial IN (…)` cannot use — without the
    // manufacturer every batch scanned the whole table (an import of 1,000,000 rows slowed down
    // with every batch). Pairs of another manufacturer that the IN lists also match are skipped.
    const found = await state.trx
      .selectFrom('devices')
      .select(['id', 'manufacturer', 'serial', 'kind', 'medium', 'model', 'type_no', 'config_no', 'order_no', 'delivery_note', 'customer_account_id', 'import_id'])
      .where('manufacturer', 'in', manufacturers)
      .where('serial', 'in', part)
      .execute();
    for (const d of found) {
      if (!wanted.has(deviceKey(d.manufacturer, d.serial))) continue;
      known.set(deviceKey(d.manufacturer, d.serial), {
        id: d.id,
        fromThisImport: d.import_id === state.importId,
        fields: {
          kind: d.kind,
          medium: d.medium,
          model: d.model,
          typeNo: d.type_no,
          configNo: d.config_no,
          orderNo: d.order_no,
          deliveryNote: d.delivery_note,
          customerAccountId: d.customer_account_id,
        },
      });
    }
  }
  return known;
}

async function knownKeys(state: ImportState, deviceIds: readonly string[]): Promise<Map<string, KnownKeys>> {
  const keys = new Map<string, KnownKeys>();
  for (const part of chunks(deviceIds, INSERT_CHUNK)) {
    const rows = await state.trx.selectFrom('device_keys').select(['id', 'device_id', 'key_type', 'version', 'state', 'import_id']).where('device_id', 'in', part).execute();
    for (const k of rows) {
      const id = keyKey(k.device_id, k.key_type);
      const entry = keys.get(id) ?? { maxVersion: 0, activeId: undefined, addedByThisImport: false };
      entry.maxVersion = Math.max(entry.maxVersion, k.version);
      if (k.state === 'active') entry.activeId = k.id;
      if (k.import_id === state.importId) entry.addedByThisImport = true;
      keys.set(id, entry);
    }
  }
  return keys;
}

/** Checks a batch of valid rows against the database and earlier rows, and writes it. */
export async function writeBatch(state: ImportState, rows: readonly ValidRow[]): Promise<void> {
  try {
    await resolveCustomers(state, rows);
    const devices = await knownDevices(state, rows);
    const keys = await knownKeys(
      state,
      [...devices.values()].map((d) => d.id),
    );

    const newDevices: Array<{ row: ValidRow; id: string; fields: DeviceFields }> = [];
    const newKeys: Array<{ row: ValidRow; id: string; deviceId: string; version: number }> = [];
    const deactivate: string[] = [];

    for (const row of rows) {
      let customerAccountId: string | null = null;
      if (row.customerNo !== null) {
        customerAccountId = state.customers.get(row.customerNo) ?? null;
        if (customerAccountId === null) {
          state.problems.add({ row: row.row, field: 'customer_no', reason: `no customer account ${row.customerNo}` });
          continue;
        }
      }
      const fields: DeviceFields = { kind: row.kind, medium: row.medium, model: row.model, typeNo: row.typeNo, configNo: row.configNo, orderNo: row.orderNo, deliveryNote: row.deliveryNote, customerAccountId };
      const name = deviceKey(row.manufacturer, row.serial);
      let device = devices.get(name);
      if (device === undefined) {
        device = { id: newId('dev'), fromThisImport: true, fields };
        devices.set(name, device);
        newDevices.push({ row, id: device.id, fields });
      } else if (!device.fromThisImport) {
        if (!state.newVersion) {
          state.problems.add({ row: row.row, field: 'serial', reason: `device ${name} already exists` });
          continue;
        }
      } else {
        const differs = fieldColumns.find(([field]) => device?.fields[field] !== fields[field]);
        if (differs !== undefined) {
          state.problems.add({ row: row.row, field: differs[1], reason: 'differs from an earlier row of the same device' });
          continue;
        }
      }
      const slot = keyKey(device.id, row.keyType);
      const known = keys.get(slot) ?? { maxVersion: 0, activeId: undefined, addedByThisImport: false };
      if (known.addedByThisImport) {
        state.problems.add({ row: row.row, field: 'key_type', reason: 'duplicate of an earlier row' });
        continue;
      }
      if (known.activeId !== undefined) deactivate.push(known.activeId);
      const version = known.maxVersion + 1;
      const keyId = newId('key');
      keys.set(slot, { maxVersion: version, activeId: keyId, addedByThisImport: true });
      newKeys.push({ row, id: keyId, deviceId: device.id, version });
    }

    const storing = state.problems.count === 0;
    const { trx, now, importId } = state;
    for (const part of chunks(newDevices, INSERT_CHUNK)) {
      await trx
        .insertInto('devices')
        .values(
          part.map(({ row, id, fields }) => ({
            id,
            manufacturer: row.manufacturer,
            serial: row.serial,
            kind: row.kind,
            medium: row.medium,
            model: fields.model,
            type_no: fields.typeNo,
            config_no: fields.configNo,
            order_no: fields.orderNo,
            delivery_note: fields.deliveryNote,
            customer_account_id: fields.customerAccountId,
            delivery_date: state.deliveryDate,
            driver_hint: driverHintFor(fields.model) ?? null,
            import_id: importId,
            created_at: now,
            updated_at: null,
          })),
        )
        .execute();
    }
    // The partial unique index allows one active version per device and type: deactivate first.
    for (const part of chunks(deactivate, INSERT_CHUNK)) {
      await trx
        .updateTable('device_keys')
        .set({ state: 'deactivated', state_changed_at: now, state_reason: `superseded by import ${importId}`, updated_at: now })
        .where('id', 'in', part)
        .execute();
    }
    for (const part of chunks(newKeys, INSERT_CHUNK)) {
      const values = [];
      for (const k of part) {
        const sealed = storing
          ? await state.vault.encrypt({ plaintext: k.row.key, context: deviceKeyContext({ id: k.id, deviceId: k.deviceId, keyType: k.row.keyType, version: k.version }) }, trx)
          : undefined;
        values.push({
          id: k.id,
          device_id: k.deviceId,
          key_type: k.row.keyType,
          version: k.version,
          state: 'active' as const,
          ciphertext: sealed?.ciphertext ?? null,
          data_key_id: sealed?.dataKeyId ?? null,
          key_length: k.row.key.length,
          import_id: importId,
          state_changed_at: now,
          state_reason: null,
          created_at: now,
          updated_at: now,
        });
      }
      await trx.insertInto('device_keys').values(values).execute();
    }
    state.devicesCreated += newDevices.length;
    state.keysCreated += newKeys.length;
  } finally {
    for (const row of rows) row.key.fill(0);
  }
}
