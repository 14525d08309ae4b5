import { newId } from '../../../lib/ids.js';
import type { Executor } from '../../db/database.js';
import type { Vault } from '../../vault/vault-service.js';
import { driverHintFor } from '../../../shared/inventory/device-fields.js';
import { importProblem } from '../../../shared/inventory/import-problems.js';
import { deviceKeyContext } from '../keys/key-crypto.js';
import type { ProblemList } from './import-problems.js';
import type { ValidRow } from './import-validate.js';
import type { ImportsRepo } from './imports-repo.js';

// One batch of valid rows inside the import's transaction: one query for the batch's customer
// accounts (cached), one for its devices, one for those devices' key versions, then multi-row
// inserts. Devices and keys written by earlier batches of this import carry its import_id, which
// tells "an earlier row of this file" from "already in the inventory" without keeping the file's
// devices in memory. Once the file has a problem nothing will be committed, so later batches skip
// the encryption and write key rows without ciphertext: only to find the later problems.

export interface BatchContext {
  repo: Pick<ImportsRepo, 'customersByNumber' | 'devicesByAddress' | 'keyVersionsOf' | 'insertDevices' | 'deactivateKeys' | 'insertKeys'>;
  vault: Pick<Vault, 'encrypt'>;
  /** The import's transaction: every batch runs in it. */
  trx: Executor;
  importId: string;
  newVersion: boolean;
  /** YYYY-MM-DD */
  deliveryDate: string;
  /** ISO time stamp of the import's rows. */
  now: string;
  problems: ProblemList;
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

/** A device's address as a map key ("KAM 12345678"). */
const addressOf = (manufacturer: string, serial: string): string => `${manufacturer} ${serial}`;
/** A device's key slot as a map key: one key type of one device. */
const slotOf = (deviceId: string, keyType: string): string => `${deviceId} ${keyType}`;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Writes the batches of one import: it keeps what spans batches (the customer accounts found so
 * far, the counts) to itself, so the run hands it rows and reads the counts, nothing more.
 */
export function createBatchWriter(ctx: BatchContext) {
  const { repo, trx, importId, problems } = ctx;
  /** customer_no → account id, null for a number with no account. */
  const customers = new Map<string, string | null>();
  let devicesCreated = 0;
  let keysCreated = 0;

  async function resolveCustomers(rows: readonly ValidRow[]): Promise<void> {
    const missing = [...new Set(rows.map((r) => r.customerNo).filter((no): no is string => no !== null && !customers.has(no)))];
    if (missing.length === 0) return;
    if (customers.size + missing.length > CUSTOMER_CACHE_MAX) customers.clear();
    for (const part of chunks(missing, INSERT_CHUNK)) {
      const found = await repo.customersByNumber(part, trx);
      for (const no of part) customers.set(no, null);
      for (const c of found) customers.set(c.customer_no, c.id);
    }
  }

  async function knownDevices(rows: readonly ValidRow[]): Promise<Map<string, KnownDevice>> {
    const serials = [...new Set(rows.map((r) => r.serial))];
    const manufacturers = [...new Set(rows.map((r) => r.manufacturer))];
    const wanted = new Set(rows.map((r) => addressOf(r.manufacturer, r.serial)));
    const known = new Map<string, KnownDevice>();
    for (const part of chunks(serials, INSERT_CHUNK)) {
      for (const d of await repo.devicesByAddress(manufacturers, part, trx)) {
        if (!wanted.has(addressOf(d.manufacturer, d.serial))) continue;
        known.set(addressOf(d.manufacturer, d.serial), {
          id: d.id,
          fromThisImport: d.import_id === importId,
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

  async function knownKeys(deviceIds: readonly string[]): Promise<Map<string, KnownKeys>> {
    const keys = new Map<string, KnownKeys>();
    for (const part of chunks(deviceIds, INSERT_CHUNK)) {
      for (const k of await repo.keyVersionsOf(part, trx)) {
        const id = slotOf(k.device_id, k.key_type);
        const entry = keys.get(id) ?? { maxVersion: 0, activeId: undefined, addedByThisImport: false };
        entry.maxVersion = Math.max(entry.maxVersion, k.version);
        if (k.state === 'active') entry.activeId = k.id;
        if (k.import_id === importId) entry.addedByThisImport = true;
        keys.set(id, entry);
      }
    }
    return keys;
  }

  /** Checks a batch of valid rows against the database and earlier rows, and writes it. */
  async function write(rows: readonly ValidRow[]): Promise<void> {
    try {
      await resolveCustomers(rows);
      const devices = await knownDevices(rows);
      const keys = await knownKeys([...devices.values()].map((d) => d.id));

      const newDevices: Array<{ row: ValidRow; id: string; fields: DeviceFields }> = [];
      const newKeys: Array<{ row: ValidRow; id: string; deviceId: string; version: number }> = [];
      const deactivate: string[] = [];

      for (const row of rows) {
        let customerAccountId: string | null = null;
        if (row.customerNo !== null) {
          customerAccountId = customers.get(row.customerNo) ?? null;
          if (customerAccountId === null) {
            problems.add({ row: row.row, field: 'customer_no', ...importProblem('customer_unknown', { customerNo: row.customerNo }) });
            continue;
          }
        }
        const fields: DeviceFields = { kind: row.kind, medium: row.medium, model: row.model, typeNo: row.typeNo, configNo: row.configNo, orderNo: row.orderNo, deliveryNote: row.deliveryNote, customerAccountId };
        const name = addressOf(row.manufacturer, row.serial);
        let device = devices.get(name);
        if (device === undefined) {
          device = { id: newId('dev'), fromThisImport: true, fields };
          devices.set(name, device);
          newDevices.push({ row, id: device.id, fields });
        } else if (!device.fromThisImport) {
          if (!ctx.newVersion) {
            problems.add({ row: row.row, field: 'serial', ...importProblem('device_exists', { manufacturer: row.manufacturer, serial: row.serial }) });
            continue;
          }
        } else {
          const differs = fieldColumns.find(([field]) => device?.fields[field] !== fields[field]);
          if (differs !== undefined) {
            problems.add({ row: row.row, field: differs[1], ...importProblem('differs_from_earlier_row', {}) });
            continue;
          }
        }
        const slot = slotOf(device.id, row.keyType);
        const known = keys.get(slot) ?? { maxVersion: 0, activeId: undefined, addedByThisImport: false };
        if (known.addedByThisImport) {
          problems.add({ row: row.row, field: 'key_type', ...importProblem('duplicate_row', {}) });
          continue;
        }
        if (known.activeId !== undefined) deactivate.push(known.activeId);
        const version = known.maxVersion + 1;
        const keyId = newId('key');
        keys.set(slot, { maxVersion: version, activeId: keyId, addedByThisImport: true });
        newKeys.push({ row, id: keyId, deviceId: device.id, version });
      }

      const storing = problems.count === 0;
      const { now } = ctx;
      for (const part of chunks(newDevices, INSERT_CHUNK)) {
        await repo.insertDevices(
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
            delivery_date: ctx.deliveryDate,
            driver_hint: driverHintFor(fields.model) ?? null,
            import_id: importId,
            created_at: now,
            updated_at: null,
          })),
          trx,
        );
      }
      // The partial unique index allows one active version per device and type: deactivate first.
      for (const part of chunks(deactivate, INSERT_CHUNK)) {
        await repo.deactivateKeys(part, { at: now, reason: `superseded by import ${importId}` }, trx);
      }
      for (const part of chunks(newKeys, INSERT_CHUNK)) {
        const values = [];
        for (const k of part) {
          const sealed = storing
            ? await ctx.vault.encrypt({ plaintext: k.row.key, context: deviceKeyContext({ id: k.id, deviceId: k.deviceId, keyType: k.row.keyType, version: k.version }) }, trx)
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
        await repo.insertKeys(values, trx);
      }
      devicesCreated += newDevices.length;
      keysCreated += newKeys.length;
    } finally {
      for (const row of rows) row.key.fill(0);
    }
  }

  return {
    write,
    /** Devices and key versions written so far. */
    counts: () => ({ devicesCreated, keysCreated }),
  };
}

export type BatchWriter = ReturnType<typeof createBatchWriter>;
