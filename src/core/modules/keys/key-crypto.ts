import type { AadContext } from '../../vault/vault-service.js';

// The one place that says how a device key is bound to its row (SEC-03): every writer (import,
// demo seed, new versions) and the one reader (key-reader.ts) build the vault context here, so a
// ciphertext moved to another row, device, type or version never decrypts.

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
