import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// AES-256-GCM, the only cipher of the vault. The nonce is never chosen by a caller: every seal
// draws 96 fresh random bits (SEC-04), so two encryptions of the same plaintext always differ.
// A key may seal at most 2^32 messages with random nonces (SP 800-38D 8.3); the vault counts.

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

export interface Sealed {
  nonce: Buffer;
  /** Ciphertext followed by the 16-byte authentication tag. */
  ciphertext: Buffer;
}

const GCM_OPTIONS = { authTagLength: TAG_BYTES };

function assertKey(key: Buffer): void {
  // A wrong key length is a programming error, not a data error: fail loudly instead of
  // letting node pick a different AES variant or pad the key.
  if (key.length !== KEY_BYTES) throw new RangeError(`AES-256-GCM needs a ${KEY_BYTES}-byte key`);
}

export function seal(key: Buffer, plaintext: Buffer, aad: Buffer): Sealed {
  assertKey(key);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce, GCM_OPTIONS);
  cipher.setAAD(aad);
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return { nonce, ciphertext: Buffer.concat([head, tail, cipher.getAuthTag()]) };
}

/**
 * Returns the plaintext, or null when the nonce, ciphertext, tag, key or AAD do not belong
 * together. Node only reports the tag mismatch at final(), so nothing is returned before it.
 */
export function open(key: Buffer, nonce: Buffer, ciphertext: Buffer, aad: Buffer): Buffer | null {
  if (ciphertext.length < TAG_BYTES) {
    assertKey(key);
    return null;
  }
  const bodyLength = ciphertext.length - TAG_BYTES;
  return openDetached(key, nonce, ciphertext.subarray(0, bodyLength), ciphertext.subarray(bodyLength), aad);
}

/** open() with the tag apart from the ciphertext (the vault's read path has them apart already). */
export function openDetached(key: Buffer, nonce: Buffer, body: Buffer, tag: Buffer, aad: Buffer): Buffer | null {
  assertKey(key);
  if (nonce.length !== NONCE_BYTES || tag.length !== TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', key, nonce, GCM_OPTIONS);
  decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const head = decipher.update(body);
  try {
    const tail = decipher.final();
    return tail.length === 0 ? head : Buffer.concat([head, tail]);
  } catch {
    head.fill(0);
    return null;
  }
}
