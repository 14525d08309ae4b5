#!/usr/bin/env node
// The `openeks` command. It runs the compiled JavaScript in dist/ (`npm run build:cli`) when that
// build is current, and otherwise the TypeScript sources through tsx's loader, so that a build one
// forgot (or one older than an edit) is never run: the CLI, the service and the tests always
// execute what the sources say.
//
// The rule: dist/src/main.js is used only if the stamp dist/.openeks-build (written by build:cli
// after tsc succeeded) exists and is newer than every file and folder under src/ (but src/web,
// which Vite builds), drivers/ and simulators/. A source edited, added or removed after the build
// sends the command back to tsx. The check stats a few hundred entries, a few milliseconds;
// loading tsx and transpiling at run time costs far more time and memory.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stampFile = join(root, 'dist', '.openeks-build');
const compiledMain = join(root, 'dist', 'src', 'main.js');

/** True if any entry under dir (skipping `skip`) was modified after `since` (ms). */
function newerThan(dir, since, skip) {
  if (statSync(dir).mtimeMs > since) return true;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (path === skip || entry.name === 'node_modules') continue;
    if (entry.isDirectory() ? newerThan(path, since, skip) : statSync(path).mtimeMs > since) return true;
  }
  return false;
}

function compiledIsCurrent() {
  try {
    const built = statSync(stampFile).mtimeMs;
    statSync(compiledMain);
    return !['src', 'drivers', 'simulators'].some((dir) => newerThan(join(root, dir), built, join(root, 'src', 'web')));
  } catch {
    return false; // no build (or no stamp): run the sources
  }
}

if (compiledIsCurrent()) {
  await import(pathToFileURL(compiledMain).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
