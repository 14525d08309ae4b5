import { describe, expect, it } from 'vitest';
import { telegramProblem } from './telegram-input.js';

describe('telegram input', () => {
  it("takes hex with spaces, line breaks, colons and wmbusmeters' _ and |", () => {
    expect(telegramProblem('2E44 2D2C\n8518 9463 1B16')).toBeNull();
    expect(telegramProblem('2E:44:2D:2C')).toBeNull();
    expect(telegramProblem('|2E442D2C|_8518|')).toBeNull();
  });

  it('names an empty field, stray characters, an odd number of digits and too many bytes', () => {
    expect(telegramProblem('  \n')).toBe('required');
    expect(telegramProblem('2E44zz')).toBe('invalid');
    expect(telegramProblem('2E-44')).toBe('invalid');
    expect(telegramProblem('2E4')).toBe('invalid');
    expect(telegramProblem('00'.repeat(513))).toBe('tooLong');
  });
});
