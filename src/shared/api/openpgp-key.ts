import * as Type from '@sinclair/typebox';

// The user's OpenPGP public key for encrypted downloads (docs/downloads.md "OpenPGP"): what the
// profile page reads and sends.

/** An armored public key is a few KiB; one with many signatures stays far below this. */
export const OPENPGP_ARMORED_MAX = 64 * 1024;

export const OpenPgpKeyView = Type.Object(
  {
    fingerprint: Type.String({ description: "The primary key's fingerprint, upper-case hex" }),
    algorithm: Type.String({ description: "The primary key's algorithm, e.g. `rsaEncryptSign3072`, `eddsaLegacy/ed25519`" }),
    createdAt: Type.String({ format: 'date-time', description: 'When it was registered' }),
  },
  { additionalProperties: false },
);
export type OpenPgpKeyView = Type.Static<typeof OpenPgpKeyView>;

/** GET's answer: the registered key, or null (a state, not an error: the profile asks on every visit). */
export const OpenPgpKeyState = Type.Object({ key: Type.Union([OpenPgpKeyView, Type.Null()]) }, { additionalProperties: false });

export const OpenPgpKeyBody = Type.Object(
  {
    armored: Type.String({ minLength: 1, maxLength: OPENPGP_ARMORED_MAX, description: 'The armored OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----), with an encryption subkey' }),
  },
  { additionalProperties: false },
);
