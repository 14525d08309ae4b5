import { describe, expect, it } from 'vitest';
import { cycles, localImports, moduleOf, sourceFiles } from './import-graph.js';

// docs/architecture.md "Dependencies point one way": the modules of the core form no cycle, and
// the layers every module uses (access, http, db) import no module at all.

describe('import graph of src/core', () => {
  const files = sourceFiles('src/core');

  it('has no import cycle between the modules of src/core/modules', () => {
    const graph = new Map<string, Set<string>>();
    const why = new Map<string, string>();
    for (const file of files) {
      const from = moduleOf(file);
      if (from === undefined) continue;
      for (const target of localImports(file)) {
        const to = moduleOf(target);
        if (to === undefined || to === from) continue;
        graph.set(from, (graph.get(from) ?? new Set()).add(to));
        why.set(`${from}->${to}`, `${file} imports ${target}`);
      }
      if (!graph.has(from)) graph.set(from, new Set());
    }
    expect(graph.size).toBeGreaterThan(10);
    const found = cycles(graph).map((component) => ({
      modules: component,
      edges: [...why].filter(([edge]) => component.includes(edge.split('->')[0] ?? '') && component.includes(edge.split('->')[1] ?? '')).map(([, reason]) => reason),
    }));
    expect(found).toEqual([]);
  });

  it('keeps access, http and db free of modules: they are what every module builds on', () => {
    const offending = files
      .filter((file) => /^src\/core\/(access|http|db)\//.test(file))
      .flatMap((file) => localImports(file).filter((target) => moduleOf(target) !== undefined).map((target) => `${file} imports ${target}`));
    expect(offending).toEqual([]);
  });

  it('finds a cycle when there is one (the check itself)', () => {
    const graph = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c']]);
    expect(cycles(new Map([['a', new Set(['b'])], ['b', new Set<string>()]]))).toEqual([]);
  });
});
