import { authenticator } from 'otplib';
import { describe, expect, it } from 'vitest';
import { hashRecoveryCode, newRecoveryCode, normaliseRecoveryCode } from './recovery-codes.js';
import { base32Of, matchTotp, newTotpSeed, stepAt } from './totp.js';

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC 6238 SHA-1 test vectors (8 digits there; the last 6 here)', () => {
    const seed = Buffer.from('12345678901234567890', 'ascii');
    // Appendix B: T = 59 s → 94287082, T = 1111111109 s → 07081804, T = 2000000000 s → 69279037.
    expect(matchTotp(seed, '287082', new Date(59_000))).toBe(1);
    expect(matchTotp(seed, '081804', new Date(1_111_111_109_000))).toBe(stepAt(new Date(1_111_111_109_000)));
    expect(matchTotp(seed, '279037', new Date(2_000_000_000_000))).toBe(stepAt(new Date(2_000_000_000_000)));
  });

  it('accepts the neighbouring steps only, and answers with the step of the code', () => {
    const seed = newTotpSeed();
    const now = new Date('2026-11-28T09:00:10.000Z');
    const codeAt = (ms: number) => authenticator.clone({ epoch: now.getTime() + ms }).generate(base32Of(seed));
    expect(matchTotp(seed, codeAt(0), now)).toBe(stepAt(now));
    expect(matchTotp(seed, codeAt(-30_000), now)).toBe(stepAt(now) - 1);
    expect(matchTotp(seed, codeAt(30_000), now)).toBe(stepAt(now) + 1);
    expect(matchTotp(seed, codeAt(-60_000), now)).toBeNull();
    expect(matchTotp(seed, codeAt(60_000), now)).toBeNull();
    expect(matchTotp(seed, 'abcdef', now)).toBeNull();
    expect(matchTotp(seed, `${codeAt(0)}0`, now)).toBeNull();
  });
});

describe('recovery codes', () => {
  it('carry 120 random bits in six groups, and hash the same however they are typed', () => {
    const code = newRecoveryCode();
    expect(code.split('-').map((group) => /^[a-km-np-z2-9]{4}$/.test(group))).toEqual(Array(6).fill(true));
    expect(normaliseRecoveryCode(` ${code.toUpperCase().replaceAll('-', ' ')} `)).toBe(code.replaceAll('-', ''));
    expect(hashRecoveryCode(code.toUpperCase())).toBe(hashRecoveryCode(code));
    expect(hashRecoveryCode(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(Array.from({ length: 1000 }, newRecoveryCode)).size).toBe(1000);
  });
});
