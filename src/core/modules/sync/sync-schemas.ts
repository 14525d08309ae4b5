import { Type } from '@sinclair/typebox';

// The key sync's request and answer (docs/key-sync.md). The answer is sent as the exact bytes that
// were signed, so this schema documents it (OpenAPI) rather than serialising it.

export const SyncQuery = Type.Object(
  {
    since: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'The cursor of the previous answer; absent: a full answer' })),
  },
  { additionalProperties: false },
);

export const SyncAnswerView = Type.Object(
  {
    format: Type.Literal('openeks-key-sync/1'),
    full: Type.Boolean({ description: 'true: upserts are everything the token may read; drop whatever else you hold' }),
    cursor: Type.String({ description: 'Send it as since with the next request' }),
    upserts: Type.Array(
      Type.Object({
        deviceId: Type.String(),
        serial: Type.String(),
        manufacturer: Type.String(),
        kind: Type.String(),
        medium: Type.String(),
        driverHint: Type.Union([Type.String(), Type.Null()]),
        keys: Type.Array(Type.Object({ keyType: Type.String(), version: Type.Integer(), key: Type.String({ description: 'hex, upper case' }) })),
      }),
    ),
    removals: Type.Array(Type.Object({ deviceId: Type.String(), keyType: Type.Optional(Type.String()) })),
  },
  { description: 'application/json; with a public key registered for the token: application/vnd.openeks.key-sync+hpke (HPKE enc ‖ ciphertext of this JSON). Signed: header OpenEKS-Signature.' },
);
