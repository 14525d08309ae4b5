import { describe, expect, it } from 'vitest';
import { createMeterFilter } from './meter-filter.js';

describe('createMeterFilter', () => {
  it('serves every meter when nothing is included or excluded', () => {
    const f = createMeterFilter({ include: [], exclude: [] });
    expect(['KAM-63941885', 'DME-40312233'].map(f)).toEqual([true, true]);
  });

  it('serves only included meters, and exclude wins over include', () => {
    const f = createMeterFilter({ include: ['KAM-*', 'DME-40312233'], exclude: ['KAM-67123456'] });
    expect(['KAM-63941885', 'KAM-67123456', 'DME-40312233', 'DME-40312234', 'KAW-71502713'].map(f)).toEqual([true, false, true, false, false]);
  });

  it('matches * and ? only: a dot or a bracket in a pattern is an ordinary character', () => {
    const f = createMeterFilter({ include: ['*-6394188?', 'A.C-1'], exclude: [] });
    expect(['KAM-63941885', 'KAM-6394188', 'ABC-1', 'A.C-1'].map(f)).toEqual([true, false, false, true]);
  });

  it('refuses an empty or overlong pattern', () => {
    expect(() => createMeterFilter({ include: [''], exclude: [] })).toThrow('must be 1 to 64 characters');
    expect(() => createMeterFilter({ include: [], exclude: ['K'.repeat(65)] })).toThrow('must be 1 to 64 characters');
  });
});
