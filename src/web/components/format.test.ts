import { describe, expect, it } from 'vitest';
import { formatBytes, formatDate, formatNumber } from './format.js';

describe('format', () => {
  it('shows a calendar day in the language, whatever the time zone', () => {
    expect(formatDate('2026-11-28', 'en-GB')).toBe('28 Nov 2026');
    expect(formatDate('2026-11-28', 'de')).toBe('28.11.2026');
    expect(formatDate('soon', 'en')).toBe('soon');
  });

  it('groups large numbers as the language does', () => {
    expect(formatNumber(183402, 'en')).toBe('183,402');
    expect(formatNumber(183402, 'de')).toBe('183.402');
  });

  it('shows sizes in decimal units', () => {
    expect(formatBytes(999, 'en')).toBe('999 byte');
    expect(formatBytes(1207, 'en')).toBe('1.2 kB');
    expect(formatBytes(512 * 1024 * 1024, 'en')).toBe('536.9 MB');
  });
});
