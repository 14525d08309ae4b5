import { describe, expect, it } from 'vitest';
import { MAX_TELEGRAM_BYTES, parseTelegramHex } from './telegram-hex.js';

describe('parseTelegramHex', () => {
  it.each([
    ['plain, upper case', '2E442D2C', '2E442D2C'],
    ['plain, lower case', '2e442d2c', '2e442d2c'],
    ['spaces', '2E 44 2D 2C', '2E442D2C'],
    ['tabs and line breaks', '2E44\t2D2C\r\n8518\n', '2E442D2C8518'],
    ['colons', '2e:44:2d:2c', '2e442d2c'],
    ["wmbusmeters' underscore before the encrypted part", '2E442D2C_8518', '2E442D2C8518'],
    ["wmbusmeters' bars around the frame", '|2E442D2C|8518|', '2E442D2C8518'],
    ['every separator at once', ' 2a:44 2D\n2c\t_85|18 ', '2a442D2c8518'],
    ['separators inside a byte', '2 E:4_4', '2E44'],
  ])('takes %s', (_name, text, hex) => {
    expect(parseTelegramHex(text)).toEqual({ hex });
  });

  it.each([
    ['nothing', '', 'is empty'],
    ['separators only', ' :_|\n', 'is empty'],
    ['letters beyond F', '2a44 zz', 'is not hexadecimal'],
    ['dashes', '2a-44', 'is not hexadecimal'],
    ['a 0x prefix', '0x2a44', 'is not hexadecimal'],
    ['commas', '2a,44', 'is not hexadecimal'],
    ['half a byte', '2a4', 'is not whole bytes'],
    ['513 bytes', '00'.repeat(513), 'is longer than 512 bytes'],
  ])('refuses %s', (_name, text, problem) => {
    expect(parseTelegramHex(text)).toEqual({ problem });
  });

  it('takes 512 bytes, separators not counted', () => {
    expect(MAX_TELEGRAM_BYTES).toBe(512);
    expect(parseTelegramHex('00 '.repeat(512))).toEqual({ hex: '00'.repeat(512) });
  });
});
