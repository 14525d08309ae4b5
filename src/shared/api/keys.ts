import * as Type from '@sinclair/typebox';
import { keyStates } from '../inventory/device-fields.js';
import { StringEnum } from './schema-helpers.js';

// Key versions (docs/inventory.md "Key versions"): metadata only, never key material.

export const MAX_STATE_REASON = 500;

export const KeyStateName = StringEnum(keyStates, { description: 'NIST SP 800-57 state' });

/** The API's `KeyVersion`; `length` is in bytes (16 or 32), null for a row written before lengths were kept. */
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

export const KeyStateBody = Type.Object(
  {
    state: KeyStateName,
    reason: Type.Optional(Type.String({ maxLength: MAX_STATE_REASON, description: 'Why; required when marking a key compromised' })),
  },
  { additionalProperties: false },
);

/** `GET /api/devices/:id/keys` (docs/api-tokens.md): the device's active keys, one per key type, as hex. */
export const DeviceActiveKeyView = Type.Object({
  keyType: Type.String(),
  version: Type.Integer(),
  keyId: Type.String(),
  /** The key, lower-case hex. */
  key: Type.String(),
});
export const DeviceKeysView = Type.Object({ deviceId: Type.String(), keys: Type.Array(DeviceActiveKeyView) });
export type DeviceKeysView = Type.Static<typeof DeviceKeysView>;
