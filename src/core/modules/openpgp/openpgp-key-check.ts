import { type Key, readKey } from 'openpgp';
import { OPENPGP_ARMORED_MAX } from '../../../shared/api/openpgp-key.js';
import { AppError } from '../../../shared/errors.js';

// Which OpenPGP keys a download may be encrypted to (docs/downloads.md "OpenPGP"): one armored
// PUBLIC key, with a valid encryption-capable (sub)key at this moment — not a private key, not
// garbage, not a signing-only, expired or revoked key. Refusals name the field and never repeat
// what was pasted.

const MAX_ARMORED = OPENPGP_ARMORED_MAX;

export interface CheckedOpenPgpKey {
  key: Key;
  /** The primary key's fingerprint, upper-case hex. */
  fingerprint: string;
  /** The primary key's algorithm, e.g. `ed25519`, `rsa4096`, `ecc/curve25519`. */
  algorithm: string;
}

const refused = (field: string, reason: string, message: string) =>
  new AppError('openpgp_key_invalid', message, { details: [{ field, reason }] });

function algorithmOf(key: Key): string {
  const info = key.getAlgorithmInfo();
  const name = String(info.algorithm);
  if (info.bits !== undefined) return `${name}${info.bits}`;
  if (info.curve !== undefined) return `${name}/${info.curve}`;
  return name;
}

/** Reads and checks an armored OpenPGP public key; throws 422 `openpgp_key_invalid` naming `field`. */
export async function checkOpenPgpPublicKey(armored: string, options: { field?: string; now?: Date } = {}): Promise<CheckedOpenPgpKey> {
  const field = options.field ?? 'armored';
  const now = options.now ?? new Date();
  if (armored.length > MAX_ARMORED) throw refused(field, 'is too long for a public key', `The OpenPGP key is longer than ${MAX_ARMORED} characters.`);
  if (/-----BEGIN PGP PRIVATE KEY BLOCK-----/.test(armored)) throw refused(field, 'is a private key', 'This is a private OpenPGP key. Paste the public key; the private key never leaves your computer.');
  let key: Key;
  try {
    key = await readKey({ armoredKey: armored });
  } catch {
    throw refused(field, 'is not an armored OpenPGP public key', 'This is not an armored OpenPGP public key (-----BEGIN PGP PUBLIC KEY BLOCK-----).');
  }
  if (key.isPrivate()) throw refused(field, 'is a private key', 'This is a private OpenPGP key. Paste the public key; the private key never leaves your computer.');
  try {
    await key.verifyPrimaryKey(now);
  } catch {
    throw refused(field, 'is expired or revoked', 'This OpenPGP key is expired, revoked or not valid.');
  }
  try {
    await key.getEncryptionKey(undefined, now);
  } catch {
    throw refused(field, 'has no encryption key', 'This OpenPGP key cannot encrypt (it has no valid encryption subkey, e.g. a signing-only key).');
  }
  return { key, fingerprint: key.getFingerprint().toUpperCase(), algorithm: algorithmOf(key) };
}

