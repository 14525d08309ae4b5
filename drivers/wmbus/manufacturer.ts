import { WmbusError } from './errors.js';

// The M-field: three letters packed as ((c1-64)<<10)|((c2-64)<<5)|(c3-64), sent little-endian.

export function manufacturerToCode(letters: string): number {
  if (!/^[A-Z]{3}$/.test(letters)) {
    throw new WmbusError('bad-field', 0, `manufacturer must be three letters A-Z, got "${letters.slice(0, 8)}"`);
  }
  const c = (i: number): number => letters.charCodeAt(i) - 64;
  return (c(0) << 10) | (c(1) << 5) | c(2);
}

/** Letters of a 15-bit manufacturer code; codes outside A-Z come out as the characters they encode ('@', '[' …). */
export function manufacturerFromCode(code: number): string {
  const ch = (v: number): string => String.fromCharCode(64 + (v & 0x1f));
  return ch(code >> 10) + ch(code >> 5) + ch(code);
}
