import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { isSourceFile, lineAt, repoFiles, repoRoot, type RepoFile } from './repo-files.js';

// A clone of this repository must pass its tests with nothing beside it. The data the tests
// once read from ../shared/data lives in test/fixtures/ now; this check keeps it so: no path in
// the code or the tests may leave the repository — no ../shared/data (src/shared is ours), no absolute path of a
// developer's machine, no `new URL(…, import.meta.url)` and no import that climbs above the root.
const SELF = 'test/repo/no-outside-reads.test.ts';
const MARKERS = [/\.\.\/shared\/data\b/g, /(?<![\w.-])\/work\//g, /(?<![\w.-])\/home\/[\w.-]+\//g, /(?<![\w.-])\/Users\/[\w.-]+\//g];

// Sources under src/, drivers/ and simulators/ also run compiled from dist/ (npm run build:cli), so
// a path there is fine if it stays inside from either place (src/core/app.ts finds the web shell so).
const compiled = (file: string): boolean => /^(src|drivers|simulators)\//.test(file) && !/\.test\.tsx?$/.test(file);
const outside = (file: string, path: string): boolean =>
  [dirname(file), ...(compiled(file) ? [join('dist', dirname(file))] : [])].every((dir) => relative(repoRoot, join(repoRoot, dir, path)).startsWith('..'));

/** Every way `file` reaches outside the repository, as "path:line: what". */
function outsideReads(file: RepoFile): string[] {
  const found: { offset: number; what: string }[] = [];
  for (const marker of MARKERS) for (const m of file.text.matchAll(marker)) found.push({ offset: m.index, what: `names ${m[0]}` });
  // new URL('../../x', import.meta.url) — for a template, the part before its first ${…}.
  for (const m of file.text.matchAll(/new URL\(\s*['"`](\.\.?(?=[/'"`])[^'"`$]*)/g)) {
    if (outside(file.path, m[1] ?? '')) found.push({ offset: m.index, what: `new URL('${m[1] ?? ''}') resolves outside the repository` });
  }
  if (isSourceFile(file.path)) {
    for (const spec of ts.preProcessFile(file.text, true, true).importedFiles) {
      if (spec.fileName.startsWith('.') && outside(file.path, spec.fileName)) found.push({ offset: spec.pos, what: `imports ${spec.fileName} from outside the repository` });
    }
  }
  return found.sort((a, b) => a.offset - b.offset).map(({ offset, what }) => `${file.path}:${lineAt(file.text, offset)}: ${what}`);
}

describe('nothing reads outside the repository', () => {
  const files = repoFiles(['src', 'drivers', 'simulators', 'test', 'bin', 'config'], (path) => path !== SELF);

  it('scans the code, the tests and the configuration', () => {
    expect(files.length).toBeGreaterThan(300);
    expect(files.map((f) => f.path)).toEqual(expect.arrayContaining(['bin/openeks', 'config/bench.yaml', 'test/run-all.sh', 'src/main.ts']));
  });

  it('finds no path that leaves it', () => {
    expect(files.flatMap(outsideReads)).toEqual([]);
  });

  it('names file and line of each way out', () => {
    const file = {
      path: 'test/cli/x.test.ts',
      text: [
        "import { a } from '../support/a.js';",
        "import { b } from '../../../elsewhere/b.js';",
        "const v = new URL('../../../shared/data/v.json', import.meta.url);",
        "const k = readFileSync('/work/shared/data/k.kem');",
        "const t = new URL(`../../${name}`, import.meta.url);",
        "const u = new URL(`../../../${name}`, import.meta.url);",
      ].join('\n'),
    };
    const compiledSource = { path: 'src/core/x.ts', text: "new URL('../../../src/web/dist/', import.meta.url); new URL('../../../../x', import.meta.url);" };
    expect(outsideReads(compiledSource)).toEqual(["src/core/x.ts:1: new URL('../../../../x') resolves outside the repository"]);
    expect(outsideReads(file)).toEqual([
      'test/cli/x.test.ts:2: imports ../../../elsewhere/b.js from outside the repository',
      "test/cli/x.test.ts:3: new URL('../../../shared/data/v.json') resolves outside the repository",
      'test/cli/x.test.ts:3: names ../shared/data',
      'test/cli/x.test.ts:4: names /work/',
      "test/cli/x.test.ts:6: new URL('../../../') resolves outside the repository",
    ]);
  });
});
