import { createPublicKey } from 'node:crypto';
import { Aes128Gcm, CipherSuite, HkdfSha256 } from '@hpke/core';
import { DhkemX25519HkdfSha256 } from '@hpke/dhkem-x25519';

// Encrypted key-sync answers (docs/key-sync.md "Encryption"): HPKE (RFC 9180) base mode,
// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM — suite ids 0x0020, 0x0001, 0x0001 — with
// the info string below, no AAD, one message per context. The body is `enc` (32 bytes) followed by
// the ciphertext and its 16-byte tag: 48 bytes more than the JSON.

export const HPKE_INFO = 'openeks-key-sync/1';
export const HPKE_CONTENT_TYPE = 'application/vnd.openeks.key-sync+hpke';

const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
const info = new TextEncoder().encode(HPKE_INFO);

/** The 32 raw bytes of an X25519 public key given as SPKI PEM; undefined when it is not one. */
export function x25519PublicKey(pem: string): Buffer | undefined {
  try {
    const key = createPublicKey(pem);
    if (key.asymmetricKeyType !== 'x25519') return undefined;
    const x = key.export({ format: 'jwk' }).x;
    return x === undefined ? undefined : Buffer.from(x, 'base64url');
  } catch {
    return undefined;
  }
}

const arrayBufferOf = (bytes: Uint8Array): ArrayBuffer => {
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return copy.buffer;
};

/** Seals `plaintext` to the recipient's X25519 key: `enc ‖ ciphertext`. */
export async function hpkeSeal(recipient: Buffer, plaintext: Buffer): Promise<Buffer> {
  const recipientPublicKey = await suite.kem.deserializePublicKey(arrayBufferOf(recipient));
  const sealed = await suite.seal({ recipientPublicKey, info: arrayBufferOf(info) }, arrayBufferOf(plaintext));
  return Buffer.concat([Buffer.from(sealed.enc), Buffer.from(sealed.ct)]);
}

/** Opens what hpkeSeal made, with the recipient's raw 32-byte private key (the client's side; tests). */
export async function hpkeOpen(privateKey: Buffer, body: Buffer): Promise<Buffer> {
  const recipientKey = await suite.kem.deserializePrivateKey(arrayBufferOf(privateKey));
  const enc = arrayBufferOf(body.subarray(0, 32));
  return Buffer.from(await suite.open({ recipientKey, enc, info: arrayBufferOf(info) }, arrayBufferOf(body.subarray(32))));
}
