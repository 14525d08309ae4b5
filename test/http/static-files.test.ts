import { statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../harness.js';
import { errorLines, rawRequest } from '../support/raw-http.js';
import { createWebRoot, webFiles } from '../support/web-root.js';

// Issue 11, item 5: the web shell's files and the API docs' files under odd but legal requests.
// A request nobody signed in for must never end in a 500 or an error-level log line (SEC-34).

let t: Awaited<ReturnType<typeof startTestServer>>;
let web: Awaited<ReturnType<typeof createWebRoot>>;
beforeAll(async () => {
  web = await createWebRoot();
  t = await startTestServer({ app: { webRoot: web.path } });
});
afterAll(async () => {
  await t?.close();
  await web?.remove();
});

const errorOf = (body: string) => JSON.parse(body).error as { code: string; message: string; requestId: string };
const swaggerCss = '/api/docs/static/index.css';
const files = ['/favicon.svg', '/assets/index-Ab12Cd34.js', swaggerCss];

/** Runs `probe` and returns the error-level log lines written meanwhile. */
async function errorLogsDuring(probe: () => Promise<void>): Promise<string[]> {
  const before = t.logs().length;
  await probe();
  return errorLines(t.logs().slice(before));
}

describe('conditional and range requests on static files', () => {
  it('answers a range beyond the end with 416 range_not_satisfiable and the file length', async () => {
    const logged = await errorLogsDuring(async () => {
      for (const url of files) {
        const res = await t.app.inject({ method: 'GET', url, headers: { range: 'bytes=999999999-' } });
        expect({ url, status: res.statusCode, code: errorOf(res.body).code }).toEqual({ url, status: 416, code: 'range_not_satisfiable' });
        expect(res.headers['content-range']).toMatch(/^bytes \*\/\d+$/);
      }
      const favicon = await t.app.inject({ method: 'GET', url: '/favicon.svg', headers: { range: 'bytes=999999999-' } });
      expect(favicon.headers['content-range']).toBe(`bytes */${statSync(join(web.path, 'favicon.svg')).size}`);
    });
    expect(logged).toEqual([]);
  });

  it('still serves a range inside the file (206)', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/favicon.svg', headers: { range: 'bytes=0-3' } });
    expect(res.statusCode).toBe(206);
    expect(res.body).toBe(webFiles['favicon.svg'].slice(0, 4));
  });

  it('answers If-Match that matches no version with 412 precondition_failed', async () => {
    const logged = await errorLogsDuring(async () => {
      for (const url of files) {
        const res = await t.app.inject({ method: 'GET', url, headers: { 'if-match': '"nope"' } });
        expect({ url, status: res.statusCode, code: errorOf(res.body).code }).toEqual({ url, status: 412, code: 'precondition_failed' });
      }
    });
    expect(logged).toEqual([]);
  });

  it('answers If-Unmodified-Since in 1990 with 412 precondition_failed', async () => {
    const logged = await errorLogsDuring(async () => {
      for (const url of files) {
        const res = await t.app.inject({ method: 'GET', url, headers: { 'if-unmodified-since': 'Mon, 01 Jan 1990 00:00:00 GMT' } });
        expect({ url, status: res.statusCode, code: errorOf(res.body).code }).toEqual({ url, status: 412, code: 'precondition_failed' });
      }
    });
    expect(logged).toEqual([]);
  });

  it('still answers If-None-Match with the current ETag with 304', async () => {
    const first = await t.app.inject({ method: 'GET', url: '/favicon.svg' });
    const etag = String(first.headers.etag);
    const again = await t.app.inject({ method: 'GET', url: '/favicon.svg', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });
});

describe('paths that leave the served folder', () => {
  it('answers encoded and plain traversal with 404 not_found, under /api/docs/static and elsewhere', async () => {
    const paths = [
      '/api/docs/static/%2e%2e/%2e%2e/package.json',
      '/api/docs/static/../../package.json',
      '/api/docs/static/%2e%2e/index.js',
      '/api/docs/static/..%2f..%2fpackage.json',
      '/api/docs/static/%2E%2E%2F%2E%2E%2Fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/assets/..%2f..%2fpackage.json',
    ];
    const logged = await errorLogsDuring(async () => {
      for (const path of paths) {
        const res = await rawRequest(t.baseUrl, 'GET', path);
        expect({ path, status: res.status, code: errorOf(res.body).code }).toEqual({ path, status: 404, code: 'not_found' });
        expect(res.body).not.toContain('"name": "openeks"');
      }
    });
    expect(logged).toEqual([]);
  });

  it('answers a path with a NUL byte with 400 validation_failed', async () => {
    const logged = await errorLogsDuring(async () => {
      for (const path of ['/api/docs/static/%00', '/api/docs/static/index.css%00.html']) {
        const res = await rawRequest(t.baseUrl, 'GET', path);
        expect({ path, status: res.status, code: errorOf(res.body).code }).toEqual({ path, status: 400, code: 'validation_failed' });
      }
    });
    expect(logged).toEqual([]);
  });

  it('answers a URL that is not valid percent-encoding with 400 in the one error body', async () => {
    for (const path of ['/api/docs/static/%E0%A4%A', '/%zz', '/api/devices/%']) {
      const res = await rawRequest(t.baseUrl, 'GET', path);
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      const error = errorOf(res.body);
      expect(error).toMatchObject({ code: 'validation_failed', details: [{ field: 'url', reason: 'is not a valid URL' }] });
      expect(error.requestId).toBe(res.headers['x-request-id']);
      expect(res.body).not.toContain('%E0');
    }
  });
});

describe('pages', () => {
  const pages = ['/', '/eks', '/sign-in', '/eks/devices/dev_x', '/password/reset', '/access-requests/acr_1'];

  it('answers HEAD on every client route like GET, without a body', async () => {
    for (const url of pages) {
      const get = await t.app.inject({ method: 'GET', url });
      const head = await t.app.inject({ method: 'HEAD', url });
      expect({ url, get: get.statusCode, head: head.statusCode, body: head.body }).toEqual({ url, get: 200, head: 200, body: '' });
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
      expect(head.headers['content-length']).toBe(get.headers['content-length']);
      expect(head.headers['cache-control']).toBe('no-cache');
    }
  });

  it('still answers HEAD on an unknown file and an API path with 404', async () => {
    for (const url of ['/no-such-file.js', '/api/nope']) {
      const res = await t.app.inject({ method: 'HEAD', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
    }
  });
});

describe('compression and caching', () => {
  const script = '/assets/index-Ab12Cd34.js';

  it('sends a hashed asset brotli-compressed when the browser accepts it, cached for a year as immutable', async () => {
    const res = await t.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(res.rawPayload).toString('utf8')).toBe(webFiles['assets/index-Ab12Cd34.js']);
    expect(res.rawPayload.length).toBeLessThan(webFiles['assets/index-Ab12Cd34.js'].length / 4);
  });

  it('sends gzip to a browser that takes only gzip, and the plain file to one that takes neither', async () => {
    const gz = await t.app.inject({ method: 'GET', url: '/assets/style-Zz98_y-6.css', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['content-type']).toMatch(/^text\/css/);
    expect(gunzipSync(gz.rawPayload).toString('utf8')).toBe(webFiles['assets/style-Zz98_y-6.css']);
    const plain = await t.app.inject({ method: 'GET', url: script, headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(webFiles['assets/index-Ab12Cd34.js']);
    expect(plain.headers.vary).toMatch(/accept-encoding/i);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('compresses the index of the pages too, and lets nothing unhashed be cached without asking again', async () => {
    const index = await t.app.inject({ method: 'GET', url: '/eks', headers: { 'accept-encoding': 'br' } });
    expect(index.headers['content-encoding']).toBe('br');
    expect(index.headers['content-type']).toMatch(/^text\/html/);
    expect(brotliDecompressSync(index.rawPayload).toString('utf8')).toBe(webFiles['index.html']);
    for (const url of ['/', '/index.html', '/favicon.svg']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br, gzip' } });
      expect({ url, cache: res.headers['cache-control'] }).toEqual({ url, cache: 'no-cache' });
    }
    // The compressed forms are not files of their own.
    const direct = await t.app.inject({ method: 'GET', url: `${script}.br` });
    expect(direct.statusCode).toBe(404);
  });
});
