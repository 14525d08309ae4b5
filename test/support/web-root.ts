import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';

// A small web shell in a temporary folder, shaped like Vite's build (index.html, an unhashed file
// from public/, hashed files under assets/), so that tests of how the server serves files do not
// depend on `npm run build:web` having run. Like the build, the text files lie beside their
// brotli and gzip forms.

export const webFiles = {
  'index.html': `<!doctype html>\n<html lang="en"><head><meta charset="utf-8" /><title>openeks</title><script type="module" src="/assets/index-Ab12Cd34.js"></script><link rel="stylesheet" href="/assets/style-Zz98_y-6.css"></head><body><div id="root"></div></body></html>\n`,
  'favicon.svg': '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><circle cx="8" cy="8" r="7"/></svg>\n',
  'assets/index-Ab12Cd34.js': `${Array.from({ length: 400 }, (_, i) => `export const value${i} = 'the web shell, line ${i}';`).join('\n')}\n`,
  'assets/style-Zz98_y-6.css': `${Array.from({ length: 200 }, (_, i) => `.c${i} { margin: ${i}px; }`).join('\n')}\n`,
} as const;

export async function createWebRoot(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'openeks-web-'));
  await mkdir(join(path, 'assets'));
  for (const [name, text] of Object.entries(webFiles)) {
    await writeFile(join(path, name), text);
    if (name === 'favicon.svg') continue; // too small to gain: the build leaves such files alone
    await writeFile(join(path, `${name}.br`), brotliCompressSync(text));
    await writeFile(join(path, `${name}.gz`), gzipSync(text));
  }
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
