import { describe, expect, it } from 'vitest';
import { errorCatalog } from '../../shared/errors.js';
import { importProblemCodes } from '../../shared/inventory/import-problems.js';
import { de } from './de.js';
import { en } from './en.js';

function leaves(value: unknown, prefix = ''): [string, string][] {
  if (typeof value === 'string') return [[prefix, value]];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
}

const keys = (messages: unknown) => leaves(messages).map(([key]) => key).sort();

describe('translations', () => {
  it('have the same keys in German and English, none empty', () => {
    expect(keys(de)).toEqual(keys(en));
    for (const messages of [de, en]) for (const [key, text] of leaves(messages)) expect(text.trim(), key).not.toBe('');
  });

  it('translate every error code of the server catalogue', () => {
    for (const code of Object.keys(errorCatalog)) {
      expect(Object.keys(en.errorCodes)).toContain(code);
      expect(Object.keys(de.errorCodes)).toContain(code);
    }
  });

  it('translate every code of an import problem (docs/inventory.md "Import problems")', () => {
    expect(Object.keys(en.importProblems).sort()).toEqual([...importProblemCodes].sort());
    expect(Object.keys(de.importProblems).sort()).toEqual([...importProblemCodes].sort());
  });
});
