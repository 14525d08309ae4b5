import { describe, expect, it } from 'vitest';
import { telegramProblem } from './telegram-input.js';

describe('telegram input', () => {
  it('takes hex with spaces and line breaks', () => {
    expect(telegramProblem('2E44 2D2C\n8518 9463 1B16')).toBeNull();
  });

  it('names an empty field, stray characters and an odd number of digits', () => {
    expect(telegramProblem('  \n')).toBe('required');
    expect(telegramProblem('2E44zz')).toBe('invalid');
    expect(telegramProblem('2E4')).toBe('invalid');
  });
});
