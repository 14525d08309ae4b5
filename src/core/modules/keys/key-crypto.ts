import type { Executor } from '../../db/database.js';
import type { AadContext, Vault } from '../../vault/vault-service.js';
import type { KeyType } from '../../../shared/inventory/device-fields.js';

// The one place that says how a device key is bound to its row (SEC-03): every writer (import,
// demo seed, new versions) and every reader (telegram check, downloads, the gateway's key fetch)
// builds the vault context here, so a ciphertext moved to another row, device, type or version
// never decrypts.

export interface DeviceKeyRef {
  /** device_keys.id */
  id: string;
  deviceId: string;
  keyType: string;
  version: number;
}

export function deviceKeyContext(ref: DeviceKeyRef): AadContext {
  return { table: 'device_keys', rowId: ref.id, deviceId: ref.deviceId, keyType: ref.keyType, version: ref.version };
}

export interface ActiveKey {
  keyId: string;
  version: number;
  key: Buffer;
}

/**
 * The active version of a device's key of one type, decrypted; undefined when the device has no
 * active key of that type. The caller has already checked that the user may see the device.
 */
export async function readActiveKey(deps: { db: { kysely: Executor }; vault: Pick<Vault, 'decrypt'> }, deviceId: string, keyType: KeyType, trx?: Executor): Promise<ActiveKey | undefined> {
  const row = await (trx ?? deps.db.kysely)
    .selectFrom('device_keys')
    .select(['id', 'version', 'ciphertext'])
    .where('device_id', '=', deviceId)
    .where('key_type', '=', keyType)
    .where('state', '=', 'active')
    .executeTakeFirst();
  if (row?.ciphertext == null) return undefined;
  const key = await deps.vault.decrypt({ ciphertext: row.ciphertext, context: deviceKeyContext({ id: row.id, deviceId, keyType, version: row.version }) }, trx);
  return { keyId: row.id, version: row.version, key };
}
