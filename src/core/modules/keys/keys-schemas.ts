import { Type } from '@sinclair/typebox';
import type { DeviceKeyRow } from '../../db/schema.js';
import { keyStates, type KeyState } from '../../../shared/inventory/device-fields.js';

/** The API's `KeyVersion` (docs/inventory.md): metadata only, never key material. */
export interface KeyVersion {
  id: string;
  keyType: string;
  version: number;
  state: KeyState;
  /** Bytes (16 or 32); null for a row written before lengths were kept. */
  length: number | null;
  createdAt: string;
  stateChangedAt: string | null;
  stateReason: string | null;
}

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

export const MAX_STATE_REASON = 500;

// An enum rather than a union of literals: one refusal naming the field, not one per state.
export const KeyStateName = Type.Unsafe<KeyState>({ type: 'string', enum: [...keyStates], description: 'NIST SP 800-57 state' });

export const KeyVersionView = Type.Object({
  id: Type.String(),
  keyType: Type.String(),
  version: Type.Integer(),
  state: KeyStateName,
  length: Type.Union([Type.Integer(), Type.Null()]),
  createdAt: Type.String(),
  stateChangedAt: Type.Union([Type.String(), Type.Null()]),
  stateReason: Type.Union([Type.String(), Type.Null()]),
});

export const KeyStateParams = Type.Object({ deviceId: Type.String({ minLength: 1, maxLength: 64 }), keyId: Type.String({ minLength: 1, maxLength: 64 }) });

export const KeyStateBody = Type.Object(
  {
    state: KeyStateName,
    reason: Type.Optional(Type.String({ maxLength: MAX_STATE_REASON, description: 'Why; required when marking a key compromised' })),
  },
  { additionalProperties: false },
);
