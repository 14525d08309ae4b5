import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageImports, packageOf, typesPackageOf } from './package-imports.js';
import { isSourceFile, repoFiles, repoRoot } from './repo-files.js';

// `npm ci --omit=dev` must give the service, the CLI and the simulators everything they import:
// a package that is only installed because something else depends on it (pino came with Fastify,
// yaml with Vite) disappears the day that dependency drops it. So every package the production
// code imports at run time is in `dependencies`; a type-only import may rely on its @types package.
const manifest: unknown = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const section = (name: string): string[] => {
  const value = typeof manifest === 'object' && manifest !== null ? Object.entries(manifest).find(([key]) => key === name)?.[1] : undefined;
  return typeof value === 'object' && value !== null ? Object.keys(value) : [];
};
const declared = { dependencies: new Set(section('dependencies')), devDependencies: new Set(section('devDependencies')) };

/** "file:line: name" for every import of a package not declared for production. */
function undeclared(files: { path: string; text: string }[], { dependencies, devDependencies }: typeof declared): string[] {
  const typesDeclared = (name: string): boolean => dependencies.has(typesPackageOf(name)) || devDependencies.has(typesPackageOf(name));
  return files.flatMap((file) =>
    packageImports(file.path, file.text)
      .filter((i) => !dependencies.has(i.name) && !(i.typeOnly && typesDeclared(i.name)))
      .map((i) => `${file.path}:${i.line}: ${i.name}${i.typeOnly ? ' (type-only)' : ''}`),
  );
}

describe('packages the production code imports', () => {
  const production = repoFiles(['src', 'drivers', 'simulators', 'bin'], (path) => isSourceFile(path) && !/\.test\.tsx?$/.test(path));

  it('are all declared in dependencies', () => {
    expect(production.length).toBeGreaterThan(250);
    expect(undeclared(production, declared)).toEqual([]);
  });

  it('are found in every form of import, and only there', () => {
    const text = [
      "import pino from 'pino';",
      "import type { Browser } from 'playwright-core';",
      "import type { Options } from 'nodemailer/lib/smtp-transport';",
      "export { x } from '@vitest/expect/dist';",
      "export type { Y } from 'smtp-server';",
      "const m = await import('mailparser');",
      "type T = typeof import('otplib');",
      "import { readFileSync } from 'node:fs';",
      "import { join } from 'path';",
      "import { a } from './a.js';",
      "// import nothing from 'comment-only';",
      "const s = 'import x from \"string-only\"';",
    ].join('\n');
    expect(packageImports('src/x.ts', text).map((i) => [i.name, i.typeOnly, i.line])).toEqual([
      ['pino', false, 1],
      ['playwright-core', true, 2],
      ['nodemailer', true, 3],
      ['@vitest/expect', false, 4],
      ['smtp-server', true, 5],
      ['mailparser', false, 6],
      ['otplib', true, 7],
    ]);
    const manifest = { dependencies: new Set(['pino', 'nodemailer']), devDependencies: new Set(['@types/smtp-server', 'mailparser', 'otplib']) };
    expect(undeclared([{ path: 'src/x.ts', text }], manifest)).toEqual([
      'src/x.ts:2: playwright-core (type-only)',
      'src/x.ts:4: @vitest/expect',
      'src/x.ts:6: mailparser',
      'src/x.ts:7: otplib (type-only)',
    ]);
  });

  it('are named by package, not by subpath', () => {
    expect(packageOf('@fastify/type-provider-typebox')).toBe('@fastify/type-provider-typebox');
    expect(packageOf('tsx/esm/api')).toBe('tsx');
    expect(packageOf('node:crypto')).toBeUndefined();
    expect(packageOf('crypto')).toBeUndefined();
    expect(typesPackageOf('@scope/name')).toBe('@types/scope__name');
  });
});
