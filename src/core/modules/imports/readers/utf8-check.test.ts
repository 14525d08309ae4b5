import { describe, expect, it } from 'vitest';
import { AppError } from '../../../../shared/errors.js';
import { Utf8Check } from './utf8-check.js';

function offsetOf(run: () => void): number | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof AppError && err.code === 'file_unreadable') return err.details?.[0]?.offset;
    throw err;
  }
  return undefined;
}

describe('Utf8Check', () => {
  it('accepts characters split between chunks at every point', () => {
    const bytes = Buffer.from('aä€😀z', 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      const check = new Utf8Check('The file');
      expect(offsetOf(() => (check.push(bytes.subarray(0, cut)), check.push(bytes.subarray(cut)), check.end()))).toBeUndefined();
    }
  });

  it('names the offset of the first bad byte, counted across chunks', () => {
    const check = new Utf8Check('The file');
    check.push(Buffer.from('abc'));
    expect(offsetOf(() => check.push(Buffer.from([0x64, 0xc3, 0x28])))).toBe(4);
  });

  it('refuses overlong forms, surrogates, stray continuation bytes and a cut-off last character', () => {
    const cases: [number[], number][] = [
      [[0x41, 0xc0, 0x80], 1],
      [[0x41, 0x42, 0xed, 0xa0, 0x80], 2],
      [[0x80], 0],
      [[0x41, 0xf5, 0x80, 0x80, 0x80], 1],
    ];
    for (const [bytes, offset] of cases) {
      const check = new Utf8Check('The file');
      expect(offsetOf(() => (check.push(Buffer.from(bytes)), check.end()))).toBe(offset);
    }
    const cutOff = new Utf8Check('The file');
    cutOff.push(Buffer.from([0x41, 0x42, 0xe2, 0x82]));
    expect(offsetOf(() => cutOff.end())).toBe(2);
  });
});
