import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The repository's own files, for the checks that read the code as text (test/repo/,
// test/docs/citations.test.ts). Build output, installed packages and dot-folders are not the
// repository's text; neither are binary files.
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const skippedDirs = new Set(['node_modules', 'dist']);

export interface RepoFile {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  text: string;
}

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || skippedDirs.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

/** Every text file under the given folders, and the given files, relative to the root. */
export function repoFiles(tops: string[], accept: (path: string) => boolean = () => true): RepoFile[] {
  const files: RepoFile[] = [];
  for (const top of tops) {
    const full = join(repoRoot, top);
    const paths = statSync(full).isDirectory() ? [...walk(full)] : [full];
    for (const path of paths) {
      const rel = relative(repoRoot, path).split(sep).join('/');
      if (!accept(rel)) continue;
      const bytes = readFileSync(path);
      if (bytes.includes(0)) continue;
      files.push({ path: rel, text: bytes.toString('utf8') });
    }
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** The 1-based line of a character offset, for messages that name file and line. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line += 1;
  return line;
}

export const isSourceFile = (path: string): boolean => /\.(ts|tsx|mts|cts|js|mjs|cjs)$/.test(path);
