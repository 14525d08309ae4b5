import { createHash, randomInt } from 'node:crypto';

// Recovery codes: 10 per enrolment, each 24 characters from a 32-letter alphabet without the
// look-alikes 0/o and 1/l (120 random bits), shown once in groups of four. With at least 112
// bits a plain SHA-256 is an adequate way to store them (ASVS 6.5.2), and it lets a code be
// found by its hash instead of being compared with ten slow hashes.

export const recoveryCodeCount = 10;
const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789';
const length = 24;

export function newRecoveryCode(): string {
  let code = '';
  for (let i = 0; i < length; i += 1) code += alphabet[randomInt(alphabet.length)] ?? '';
  return code.match(/.{4}/g)?.join('-') ?? code;
}

/** What a person typed, in the stored form: lower case, without spaces and dashes. */
export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(input: string): string {
  return createHash('sha256').update(`openeks-recovery-v1:${normaliseRecoveryCode(input)}`, 'utf8').digest('hex');
}
