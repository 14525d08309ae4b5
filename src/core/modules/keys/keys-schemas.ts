import { Type, type Static } from '@sinclair/typebox';
import type { DeviceKeyRow } from '../../db/schema.js';
import type { KeyVersionView } from '../../../shared/api/keys.js';

// The key version's view and the state change body are in src/shared/api/keys.ts (the web UI reads
// and sends them); the row mapping and the path parameters are the server's own.
export { DeviceKeysView, KeyStateBody, KeyStateName, KeyVersionView, MAX_STATE_REASON } from '../../../shared/api/keys.js';

/** The API's `KeyVersion` (docs/inventory.md): metadata only, never key material. */
export type KeyVersion = Static<typeof KeyVersionView>;

/** The metadata columns a KeyVersion is made of (never the ciphertext). */
export type KeyVersionRow = Pick<DeviceKeyRow, 'id' | 'key_type' | 'version' | 'state' | 'key_length' | 'created_at' | 'state_changed_at' | 'state_reason'>;

export function keyVersionView(row: KeyVersionRow): KeyVersion {
  return {
    id: row.id,
    keyType: row.key_type,
    version: row.version,
    state: row.state,
    length: row.key_length,
    createdAt: row.created_at,
    stateChangedAt: row.state_changed_at,
    stateReason: row.state_reason,
  };
}

export const KeyStateParams = Type.Object({ deviceId: Type.String({ minLength: 1, maxLength: 64 }), keyId: Type.String({ minLength: 1, maxLength: 64 }) });

export const DeviceKeysParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
