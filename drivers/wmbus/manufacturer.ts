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
  // Cached per 16-bit code: every telegram asks for its manufacturer, and meters repeat.
  const cacheable = Number.isInteger(code) && code >= 0 && code <= 0xffff;
  const hit = cacheable ? LETTERS.get(code) : undefined;
  if (hit !== undefined) return hit;
  const letters = letter(code >> 10) + letter(code >> 5) + letter(code);
  if (cacheable) LETTERS.set(code, letters);
  return letters;
}

const LETTERS = new Map<number, string>();

function letter(v: number): string {
  return String.fromCharCode(64 + (v & 0x1f));
}
