import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/core/modules/audit/audit-events.js';
import { errorCatalog } from '../../src/shared/errors.js';

// docs/errors.md and docs/audit-events.md are interfaces for third parties: each must list
// exactly what the code has, with the same status.
function tableRows(path: string): string[][] {
  return readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((line) => /^\| `/.test(line))
    .map((line) => line.split('|').map((cell) => cell.trim()).filter(Boolean));
}

describe('docs/errors.md', () => {
  const rows = tableRows('docs/errors.md');
  it('lists every code of the catalogue with its HTTP status, and nothing else', () => {
    const documented = Object.fromEntries(rows.map(([code, status]) => [code?.replaceAll('`', ''), Number(status)]));
    const catalog = Object.fromEntries(Object.entries(errorCatalog).map(([code, entry]) => [code, entry.status]));
    expect(documented).toEqual(catalog);
  });
});

describe('docs/audit-events.md', () => {
  it('lists exactly the audit events of the code', () => {
    const documented = tableRows('docs/audit-events.md').map(([name]) => name?.replaceAll('`', '')).sort();
    expect(documented).toEqual(Object.keys(auditEvents).sort());
  });

  it('names every event resource.verb', () => {
    for (const name of Object.keys(auditEvents)) expect(name).toMatch(/^[a-z_]+\.[a-z_]+$/);
  });
});
