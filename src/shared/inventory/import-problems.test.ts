import { describe, expect, it } from 'vitest';
import { importProblem, importProblemCodes, isImportProblemCode } from './import-problems.js';

describe('import problems', () => {
  it('give the code, the parameters and the English reason the API has always sent', () => {
    expect(importProblem('key_length', { length: 31 })).toEqual({ code: 'key_length', params: { length: 31 }, reason: 'a key is 32 or 64 hex digits (16 or 32 bytes), not 31' });
    expect(importProblem('customer_unknown', { customerNo: 'K-404' })).toEqual({ code: 'customer_unknown', params: { customerNo: 'K-404' }, reason: 'no customer account K-404' });
    expect(importProblem('device_exists', { manufacturer: 'KAM', serial: '63941885' }).reason).toBe('device KAM 63941885 already exists');
  });

  it('leave out parameters where the code has none', () => {
    expect(importProblem('duplicate_row', {})).toEqual({ code: 'duplicate_row', reason: 'duplicate of an earlier row' });
    expect(importProblem('medium_unknown', {}).reason).toBe('a medium is one of heat, cooling, water-cold, water-warm, electricity, gas, other');
  });

  it('are a closed list of distinct snake_case codes', () => {
    expect(new Set(importProblemCodes).size).toBe(importProblemCodes.length);
    for (const code of importProblemCodes) expect(code).toMatch(/^[a-z][a-z0-9_]*[a-z0-9]$/);
    for (const code of importProblemCodes) expect(code).not.toContain('__');
    expect(isImportProblemCode('key_hex')).toBe(true);
    expect(isImportProblemCode('key_hex ')).toBe(false);
    expect(isImportProblemCode('toString')).toBe(false);
    expect(isImportProblemCode(7)).toBe(false);
  });
});
