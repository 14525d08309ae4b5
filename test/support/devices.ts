import type { Container } from '../../src/core/container.js';
import type { DevicesTable } from '../../src/core/db/schema.js';
import type { KeyState } from '../../src/shared/inventory/device-fields.js';
import { deviceKeyContext } from '../../src/core/modules/keys/key-crypto.js';
import { newId } from '../../src/lib/ids.js';

// Devices and key versions written straight into the database, as an import stores them: each
// key a real vault ciphertext bound to its row, so the services decrypt them as in production.

export type DeviceStore = Pick<Container, 'db' | 'vault' | 'clock'>;

export interface StoredKeyInput {
  /** The key in hex; its bytes are what the vault seals. */
  hex: string;
  keyType?: string;
  version?: number;
  /** A destroyed version keeps its row but no ciphertext. */
  state?: KeyState;
}

export interface StoredDeviceInput {
  manufacturer: string;
  serial: string;
  kind?: DevicesTable['kind'];
  medium?: string;
  model?: string;
  driverHint?: string;
  customerAccountId?: string | null;
  /** Versions default to their place in the list, counted from 1. */
  keys?: StoredKeyInput[];
}

/** One key version of an existing device; answers its id. */
export async function storeKey(c: DeviceStore, deviceId: string, input: StoredKeyInput): Promise<string> {
  const id = newId('key');
  const keyType = input.keyType ?? 'DEK';
  const version = input.version ?? 1;
  const state = input.state ?? 'active';
  const plaintext = Buffer.from(input.hex, 'hex');
  const sealed = await c.vault.encrypt({ plaintext, context: deviceKeyContext({ id, deviceId, keyType, version }) });
  const destroyed = state === 'destroyed';
  const now = c.clock.now().toISOString();
  await c.db.kysely
    .insertInto('device_keys')
    .values({
      id,
      device_id: deviceId,
      key_type: keyType,
      version,
      state,
      ciphertext: destroyed ? null : sealed.ciphertext,
      data_key_id: destroyed ? null : sealed.dataKeyId,
      key_length: plaintext.length,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}

/** A device with its key versions; answers the device id and the key ids in the order given. */
export async function storeDevice(c: DeviceStore, input: StoredDeviceInput): Promise<{ deviceId: string; keyIds: string[] }> {
  const deviceId = newId('dev');
  await c.db.kysely
    .insertInto('devices')
    .values({
      id: deviceId,
      manufacturer: input.manufacturer,
      serial: input.serial,
      kind: input.kind ?? 'meter',
      medium: input.medium ?? 'water-cold',
      model: input.model ?? null,
      driver_hint: input.driverHint ?? null,
      customer_account_id: input.customerAccountId ?? null,
      created_at: c.clock.now().toISOString(),
    })
    .execute();
  const keyIds: string[] = [];
  for (const [i, key] of (input.keys ?? []).entries()) keyIds.push(await storeKey(c, deviceId, { version: i + 1, ...key }));
  return { deviceId, keyIds };
}

/** Removes a device stored here with its key versions. */
export async function removeDevice(c: Pick<Container, 'db'>, deviceId: string): Promise<void> {
  await c.db.kysely.deleteFrom('device_keys').where('device_id', '=', deviceId).execute();
  await c.db.kysely.deleteFrom('devices').where('id', '=', deviceId).execute();
}
