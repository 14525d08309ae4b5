import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importProblemCodes } from '../../src/shared/inventory/import-problems.js';

// docs/inventory.md "Import problems" is an interface for API clients that translate the codes:
// it must list exactly the codes the server can send.
function documentedCodes(): string[] {
  const text = readFileSync(new URL('../../docs/inventory.md', import.meta.url), 'utf8');
  const start = text.indexOf('\n### Import problems\n');
  expect(start).toBeGreaterThan(0);
  const section = text.slice(start + 1, text.indexOf('\n#', start + 2));
  return section
    .split('\n')
    .filter((line) => /^\| `/.test(line))
    .map((line) => (line.split('|')[1] ?? '').trim().replaceAll('`', ''));
}

describe('docs/inventory.md "Import problems"', () => {
  it('lists every import problem code of the server, once, and nothing else', () => {
    const documented = documentedCodes();
    expect(new Set(documented).size).toBe(documented.length);
    expect([...documented].sort()).toEqual([...importProblemCodes].sort());
  });
});
