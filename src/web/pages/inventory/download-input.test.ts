import { describe, expect, it } from 'vitest';
import { fileNameOf, leftOutReasons, leftOutTotal, needsPassword, passwordProblem, progressFraction, utf8Bytes } from './download-input.js';

describe('the download dialog’s input', () => {
  it('counts the KEM password in UTF-8 bytes, as the server does: 1 to 16', () => {
    expect(utf8Bytes('Schlüssel')).toBe(10);
    expect(utf8Bytes('€')).toBe(3);
    expect(passwordProblem('')).toBe('passwordRequired');
    expect(passwordProblem('a')).toBeNull();
    expect(passwordProblem('0450284H')).toBeNull();
    expect(passwordProblem('x'.repeat(16))).toBeNull();
    expect(passwordProblem('x'.repeat(17))).toBe('passwordTooLong');
    // 15 characters, 16 bytes: fits; 16 characters, 17 bytes: does not.
    expect(passwordProblem(`${'x'.repeat(14)}ü`)).toBeNull();
    expect(passwordProblem(`${'x'.repeat(15)}ü`)).toBe('passwordTooLong');
    expect(passwordProblem('€€€€€€')).toBe('passwordTooLong');
    expect(needsPassword('kem')).toBe(true);
    expect(needsPassword('kem2')).toBe(true);
    expect(needsPassword('csv')).toBe(false);
    expect(needsPassword('json')).toBe(false);
  });

  it('takes the server’s file name from Content-Disposition, never a path', () => {
    expect(fileNameOf('attachment; filename="openeks-4711-2026-12-03-3.kem.zip"')).toBe('openeks-4711-2026-12-03-3.kem.zip');
    expect(fileNameOf("attachment; filename=\"a.zip\"; filename*=UTF-8''openeks-m%C3%BCller-2026-12-03-1.csv.zip")).toBe('openeks-müller-2026-12-03-1.csv.zip');
    expect(fileNameOf('attachment; filename=plain.zip')).toBe('plain.zip');
    expect(fileNameOf('attachment; filename="../../etc/passwd"')).toBe('passwd');
    expect(fileNameOf('attachment')).toBeNull();
    expect(fileNameOf(null)).toBeNull();
    expect(fileNameOf('attachment; filename=""')).toBeNull();
  });

  it('lists why devices were left out, biggest first, without the reasons that did not apply', () => {
    const leftOut = { compromised: 1, suspended: 0, deactivated: 2, destroyed: 0, noActiveKey: 2 };
    expect(leftOutReasons(leftOut)).toEqual([
      { reason: 'deactivated', count: 2 },
      { reason: 'noActiveKey', count: 2 },
      { reason: 'compromised', count: 1 },
    ]);
    expect(leftOutTotal(leftOut)).toBe(5);
    expect(leftOutReasons({})).toEqual([]);
  });

  it('keeps the progress between 0 and 1', () => {
    expect(progressFraction(0, 0)).toBe(0);
    expect(progressFraction(12_000, 183_402)).toBeCloseTo(0.0654, 3);
    expect(progressFraction(200, 100)).toBe(1);
  });
});
