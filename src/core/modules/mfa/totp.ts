import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';

// TOTP as RFC 6238 and every authenticator app has it: HMAC-SHA-1, 6 digits, 30-second steps,
// a code accepted one step early or late (clock drift). The seed is 160 bits (RFC 4226's
// recommendation), shown to the user base32-encoded and as an otpauth:// URI.

export const totpPeriodSeconds = 30;
const digits = 6;
const seedBytes = 20;
const issuer = 'openeks';

export function newTotpSeed(): Buffer {
  return randomBytes(seedBytes);
}

function totpFor(seed: Buffer, label = ''): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits, period: totpPeriodSeconds, secret: new Secret({ buffer: new Uint8Array(seed).buffer }) });
}

export function base32Of(seed: Buffer): string {
  return new Secret({ buffer: new Uint8Array(seed).buffer }).base32;
}

/** The otpauth:// URI an authenticator app reads from the QR code. */
export function totpUri(seed: Buffer, accountName: string): string {
  return totpFor(seed, accountName).toString();
}

export function stepAt(at: Date): number {
  return Math.floor(at.getTime() / 1000 / totpPeriodSeconds);
}

/**
 * The time step whose code this is, within ±1 step of `at`, or null. The caller still has to
 * refuse a step that was already used (a code is good once).
 */
export function matchTotp(seed: Buffer, code: string, at: Date): number | null {
  if (!/^\d{6}$/.test(code)) return null;
  const delta = totpFor(seed).validate({ token: code, timestamp: at.getTime(), window: 1 });
  return delta === null ? null : stepAt(at) + delta;
}
