import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NONCE_BYTES, open, openDetached, seal, TAG_BYTES } from './aead.js';

describe('aead (AES-256-GCM)', () => {
  const key = randomBytes(32);
  const aad = Buffer.from('context');

  it('round-trips and appends a 16-byte tag', () => {
    const plaintext = randomBytes(32);
    const sealed = seal(key, plaintext, aad);
    expect(sealed.nonce).toHaveLength(NONCE_BYTES);
    expect(sealed.ciphertext).toHaveLength(plaintext.length + TAG_BYTES);
    expect(open(key, sealed.nonce, sealed.ciphertext, aad)).toEqual(plaintext);
  });

  it('opens with the tag held apart, and refuses a tag that is not 16 bytes', () => {
    const plaintext = randomBytes(16);
    const { nonce, ciphertext } = seal(key, plaintext, aad);
    const body = ciphertext.subarray(0, 16);
    const tag = ciphertext.subarray(16);
    expect(openDetached(key, nonce, body, tag, aad)).toEqual(plaintext);
    expect(openDetached(key, nonce, body, tag.subarray(0, 12), aad)).toBeNull();
    expect(openDetached(key, nonce, body, Buffer.alloc(16), aad)).toBeNull();
  });

  it('draws a fresh nonce for every encryption', () => {
    const plaintext = Buffer.alloc(16, 7);
    const nonces = new Set(Array.from({ length: 1000 }, () => seal(key, plaintext, aad).nonce.toString('hex')));
    expect(nonces.size).toBe(1000);
  });

  it('returns null, never garbage, for any flipped bit, wrong key or wrong AAD', () => {
    const sealed = seal(key, randomBytes(16), aad);
    for (let bit = 0; bit < sealed.ciphertext.length * 8; bit += 7) {
      const tampered = Buffer.from(sealed.ciphertext);
      tampered[bit >> 3] = (tampered[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(open(key, sealed.nonce, tampered, aad)).toBeNull();
    }
    for (let bit = 0; bit < NONCE_BYTES * 8; bit += 5) {
      const nonce = Buffer.from(sealed.nonce);
      nonce[bit >> 3] = (nonce[bit >> 3] ?? 0) ^ (1 << (bit & 7));
      expect(open(key, nonce, sealed.ciphertext, aad)).toBeNull();
    }
    expect(open(randomBytes(32), sealed.nonce, sealed.ciphertext, aad)).toBeNull();
    expect(open(key, sealed.nonce, sealed.ciphertext, Buffer.from('other'))).toBeNull();
  });

  it('rejects keys that are not 32 bytes and nonces that are not 12 bytes', () => {
    for (const length of [0, 16, 24, 31, 33]) {
      expect(() => seal(randomBytes(length), Buffer.from('x'), aad)).toThrow(RangeError);
      expect(() => open(randomBytes(length), randomBytes(12), randomBytes(32), aad)).toThrow(RangeError);
    }
    const sealed = seal(key, Buffer.from('secret'), aad);
    expect(open(key, Buffer.concat([sealed.nonce, Buffer.alloc(4)]), sealed.ciphertext, aad)).toBeNull();
    expect(open(key, sealed.nonce.subarray(0, 8), sealed.ciphertext, aad)).toBeNull();
    expect(open(key, sealed.nonce, sealed.ciphertext.subarray(0, TAG_BYTES - 1), aad)).toBeNull();
  });
});
