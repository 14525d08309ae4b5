import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Logger, Plugin } from 'vite';

// Build step (npm run build:web): a brotli (.br) and a gzip (.gz) form beside every text file of
// the build, which the server sends in the file's place to browsers that accept it
// (src/core/http/web-shell.ts). Compressing once at build time lets the slowest settings run
// (brotli 11, gzip 9) at no cost per request. A form that would not be smaller is not written:
// the server then sends the file itself.

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);
const TEXT_FILE = /\.(js|mjs|css|html|svg|json|txt|map|webmanifest)$/i;

export interface Precompressed {
  file: string;
  bytes: number;
  br?: number;
  gz?: number;
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const name = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) found.push(...(await filesUnder(join(dir, entry.name), name)));
    else if (entry.isFile() && TEXT_FILE.test(entry.name)) found.push(name);
  }
  return found.sort();
}

/** Writes `<file>.br` and `<file>.gz` beside each text file under `dir`; says what it wrote. */
export async function precompressDir(dir: string): Promise<Precompressed[]> {
  const done: Precompressed[] = [];
  for (const file of await filesUnder(dir)) {
    const path = join(dir, file);
    const bytes = await readFile(path);
    const result: Precompressed = { file, bytes: bytes.length };
    const br = await brotli(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
    });
    if (br.length < bytes.length) {
      await writeFile(`${path}.br`, br);
      result.br = br.length;
    }
    const gz = await gzipAsync(bytes, { level: constants.Z_BEST_COMPRESSION });
    if (gz.length < bytes.length) {
      await writeFile(`${path}.gz`, gz);
      result.gz = gz.length;
    }
    done.push(result);
  }
  return done;
}

/** The Vite plugin: precompresses the output folder once everything, public/ included, is written. */
export function precompressPlugin(): Plugin {
  let outDir = '';
  let logger: Logger | undefined;
  return {
    name: 'openeks-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
      logger = config.logger;
    },
    async closeBundle() {
      if (outDir === '' || !(await stat(outDir).then((s) => s.isDirectory(), () => false))) return;
      const done = await precompressDir(outDir);
      const kb = (n: number | undefined) => (n === undefined ? '–' : `${(n / 1000).toFixed(2)} kB`);
      for (const f of done) logger?.info(`precompressed ${f.file}: ${kb(f.bytes)} → br ${kb(f.br)}, gzip ${kb(f.gz)}`);
    },
  };
}
