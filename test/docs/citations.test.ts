import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineAt, repoFiles, repoRoot } from '../repo/repo-files.js';
import { citationsIn, headingsOf, problemOf, refsAfter, secIdsIn } from './doc-citations.js';

// A reference someone cannot follow is worse than none: every SEC-nn the code cites is defined in
// docs/security.md, and every docs page, flow, numbered point, § and heading cited exists.
// This file is left out: its examples of broken citations are broken on purpose.
const tops = ['src', 'drivers', 'simulators', 'test', 'bin', 'config', 'docs', 'README.md', 'eslint.config.js', 'vitest.config.ts'];
const cited = repoFiles(tops, (path) => !/\.(json|kem)$/.test(path) && path !== 'test/docs/citations.test.ts');
const security = readFileSync(join(repoRoot, 'docs/security.md'), 'utf8');
const defined = headingsOf(security).flatMap((h) => /^SEC-\d{2}\b/.exec(h.text) ?? []);

describe('docs/security.md', () => {
  it('defines SEC-01 to SEC-42, each once and in order', () => {
    expect(defined).toEqual(Array.from({ length: 42 }, (_, i) => `SEC-${String(i + 1).padStart(2, '0')}`));
  });

  it('defines every SEC id cited in the code, the tests and the docs', () => {
    const missing = cited.flatMap((f) => secIdsIn(f.text).filter(({ id }) => !defined.includes(id)).map(({ id, offset }) => `${id} (${f.path}:${lineAt(f.text, offset)})`));
    expect(missing).toEqual([]);
    expect(cited.flatMap((f) => secIdsIn(f.text)).length).toBeGreaterThan(140);
  });

  it('says for every requirement how it is tested, or that it is not yet', () => {
    const sections = security.split(/^### /m).slice(1);
    const silent = sections.filter((s) => !/\*\*(Tested|Tested so far|Not yet tested)\b/.test(s)).map((s) => s.slice(0, 6));
    expect(sections).toHaveLength(42);
    expect(silent).toEqual([]);
  });

  it('names only files that exist', () => {
    const named = [...security.matchAll(/`((?:src|test|drivers|simulators)\/[^`\s]+\.tsx?)`/g)].map((m) => m[1] ?? '');
    expect(named.length).toBeGreaterThan(60);
    expect(named.filter((path) => !existsSync(join(repoRoot, path)))).toEqual([]);
  });
});

describe('citations of docs', () => {
  const citations = cited.flatMap(citationsIn);

  it('point to pages, flows, numbered points, sections and headings that exist', () => {
    const broken = citations.flatMap((c) => {
      const problem = problemOf(c);
      return problem === undefined ? [] : [`${c.file}:${c.line}: ${problem}`];
    });
    expect(broken).toEqual([]);
  });

  it('are found in the forms the code uses', () => {
    const refsOf = (file: string, target: string) => citations.filter((c) => c.file === file && c.target === target).flatMap((c) => c.refs);
    expect(refsOf('src/web/pages/inventory/telegram-check-page.tsx', 'docs/product.md')).toEqual([{ kind: 'flow', n: 6 }]);
    expect(refsOf('src/core/modules/auth/auth-schemas.ts', 'docs/style.md')).toEqual([{ kind: 'number', n: 8 }]);
    expect(refsOf('src/core/access/device-scope.ts', 'docs/product.md')).toEqual([{ kind: 'heading', text: 'Who uses it' }]);
    expect(refsOf('docs/inventory.md', 'docs/product.md')).toEqual([
      { kind: 'heading', text: 'Devices and keys' },
      { kind: 'heading', text: 'Import' },
      { kind: 'heading', text: 'KEM' },
      { kind: 'flow', n: 6 },
      { kind: 'heading', text: 'KEM' },
    ]);
  });

  it('fail on a page, flow, point, section or heading that does not exist', () => {
    const at = (target: string, after: string) => problemOf({ file: 'x', line: 1, target, refs: refsAfter(after, 0) });
    expect(at('docs/nothing.md', '')).toBe('docs/nothing.md does not exist');
    expect(at('docs/product.md', ' flow 12')).toBe('docs/product.md has no flow 12');
    expect(at('docs/style.md', ' 16, and more')).toBe('docs/style.md has no point 16');
    expect(at('docs/protocols/wmbus-sticks.md', ' §8')).toBe('docs/protocols/wmbus-sticks.md has no §8');
    expect(at('docs/product.md', ' "Who sells it"')).toBe('docs/product.md has no heading "Who sells it"');
    expect(problemOf({ file: 'x', line: 1, target: 'docs/security.md', anchor: 'sec-43', refs: [] })).toBe('docs/security.md has no heading #sec-43');
    expect(at('docs/product.md', ' flow 11; docs/style.md 15')).toBeUndefined();
  });

  it('read SEC ranges as every id in them', () => {
    expect(secIdsIn('SEC-01…SEC-03, SEC-20 … SEC-21 and SEC-9').map((s) => s.id)).toEqual(['SEC-01', 'SEC-02', 'SEC-03', 'SEC-20', 'SEC-21', 'SEC-9']);
    expect(secIdsIn('SEC-05 alone, SEC-10...SEC-11').map((s) => s.id)).toEqual(['SEC-05', 'SEC-10', 'SEC-11']);
  });
});
