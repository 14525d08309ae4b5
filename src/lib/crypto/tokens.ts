import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

// Bearer tokens (sessions, setup and invitation links): 256 random bits, shown once, stored
// only as a SHA-256 hash (SEC-10; with this much entropy a plain hash is enough, ASVS 6.5.2).

const TOKEN_BYTES = 32;
// Hex of at most 1024 characters (a SHA-512 digest is 128): the digests we compare.
const HEX = /^[0-9a-fA-F]{2,1024}$/;

export interface NewToken {
  /** base64url, 43 characters: give it to the user, never store it. */
  token: string;
  /** Lower-case hex SHA-256 of the token: store this. */
  hash: string;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): NewToken {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, hash: hashToken(token) };
}

/**
 * Constant-time comparison of two hex digests (e.g. a stored token hash and hashToken(input)).
 * Different lengths or non-hex input give false; the length of a digest is not a secret.
 */
export function safeEqualHex(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string' || a.length !== b.length || a.length % 2 !== 0) return false;
  if (!HEX.test(a) || !HEX.test(b)) return false;
  return timingSafeEqual(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'));
}

/** API tokens carry a prefix, so that a leaked one is recognisable (secret scanners, logs). */
export const apiTokenPrefix = 'oeks_';

/** An API token: `oeks_` + 256 random bits in base64url; its hash covers the whole string. */
export function newApiToken(): NewToken {
  const token = apiTokenPrefix + randomBytes(TOKEN_BYTES).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** Whether a string has the shape of an API token (before any database look-up). */
export function looksLikeApiToken(value: string): boolean {
  return /^oeks_[A-Za-z0-9_-]{43}$/.test(value);
}
