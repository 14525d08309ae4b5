import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { precompressDir } from './precompress.js';

let dir = '';
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-precompress-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

describe('precompressDir', () => {
  it('writes a brotli and a gzip form beside each text file, which decompress to its bytes', async () => {
    const script = `${'export const word = "Zählerschlüssel";\n'.repeat(500)}`;
    await mkdir(join(dir, 'assets'));
    await writeFile(join(dir, 'assets', 'index-Ab12Cd34.js'), script);
    await writeFile(join(dir, 'index.html'), `<!doctype html>${'<p>openeks</p>'.repeat(50)}`);
    const done = await precompressDir(dir);
    expect(done.map((d) => d.file)).toEqual(['assets/index-Ab12Cd34.js', 'index.html']);
    const br = await readFile(join(dir, 'assets', 'index-Ab12Cd34.js.br'));
    const gz = await readFile(join(dir, 'assets', 'index-Ab12Cd34.js.gz'));
    expect(brotliDecompressSync(br).toString('utf8')).toBe(script);
    expect(gunzipSync(gz).toString('utf8')).toBe(script);
    expect(done[0]).toEqual({ file: 'assets/index-Ab12Cd34.js', bytes: Buffer.byteLength(script), br: br.length, gz: gz.length });
    expect(br.length).toBeLessThan(Buffer.byteLength(script) / 20);
  });

  it('leaves alone files it cannot shrink and files that are not text', async () => {
    await writeFile(join(dir, 'favicon.svg'), '<svg/>');
    await writeFile(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4]));
    const done = await precompressDir(dir);
    expect(done).toEqual([{ file: 'favicon.svg', bytes: 6 }]);
    expect((await readdir(dir)).sort()).toEqual(['favicon.svg', 'logo.png']);
  });
});
