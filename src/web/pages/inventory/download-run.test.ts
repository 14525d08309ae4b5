import { describe, expect, it } from 'vitest';
import { ApiError, type ApiClient } from '../../api/client.js';
import { DownloadBroken, runDownload, type DownloadProgress } from './download-run.js';

const view = (status: 'running' | 'done' | 'failed', rowsWritten: number, error: string | null = null) => ({
  id: 'exp-1',
  format: 'kem',
  status,
  total: 3,
  rowsWritten,
  leftOut: { compromised: 1, suspended: 0, deactivated: 0, destroyed: 0, preActivation: 0, noActiveKey: 0 },
  fileName: 'openeks-4711-2026-12-03-3.kem.zip',
  createdAt: '2026-12-03T16:00:00.000Z',
  finishedAt: status === 'running' ? null : '2026-12-03T16:00:01.000Z',
  error,
});

/** A stream the test feeds by hand, and a client whose download answers with it. */
function fakeServer(views: ReturnType<typeof view>[], headers: Record<string, string> = {}) {
  let feed!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (feed = c) });
  const gets: string[] = [];
  const sent: unknown[] = [];
  const unused = () => Promise.reject(new Error('not used'));
  const client: ApiClient = {
    get: async (path) => {
      gets.push(path);
      return views.length > 1 ? views.shift() : views[0];
    },
    post: unused,
    put: unused,
    patch: unused,
    delete: unused,
    upload: unused,
    download: async (path, payload, options) => {
      sent.push({ path, payload });
      options?.signal?.addEventListener('abort', () => feed.error(new DOMException('aborted', 'AbortError')));
      return new Response(body, {
        headers: {
          'content-type': 'application/zip',
          'content-disposition': 'attachment; filename="openeks-4711-2026-12-03-3.kem.zip"',
          'x-openeks-export-id': 'exp-1',
          'x-openeks-devices': '3',
          ...headers,
        },
      });
    },
    setCsrfToken: () => undefined,
    onUnauthenticated: () => () => undefined,
  };
  return { client, feed: () => feed, gets, sent };
}

const body = { selection: { ids: ['d1', 'd2', 'd3'] }, format: 'kem' as const, password: 'geheim' };

describe('a download as the dialog runs it', () => {
  it('reads the stream, polls the progress by the export id, and hands over the bytes with the server’s file name', async () => {
    const server = fakeServer([view('running', 1), view('running', 2), view('done', 3)]);
    const seen: DownloadProgress[] = [];
    const running = runDownload(server.client, body, { signal: new AbortController().signal, onProgress: (p) => seen.push(p), pollMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    server.feed().enqueue(new Uint8Array([0x50, 0x4b]));
    server.feed().enqueue(new Uint8Array([3, 4]));
    server.feed().close();
    const received = await running;

    expect(server.sent).toEqual([{ path: '/api/exports', payload: body }]);
    expect(server.gets.every((path) => path === '/api/exports/exp-1')).toBe(true);
    expect(received.fileName).toBe('openeks-4711-2026-12-03-3.kem.zip');
    expect(received.devices).toBe(3);
    expect(received.blob.type).toBe('application/zip');
    expect([...new Uint8Array(await received.blob.arrayBuffer())]).toEqual([0x50, 0x4b, 3, 4]);
    expect(seen[0]).toEqual({ written: 0, total: 3 });
    expect(seen).toContainEqual({ written: 1, total: 3 });
    expect(seen.at(-1)).toEqual({ written: 3, total: 3 });
  });

  it('saves nothing when the server breaks the stream off or the export says it failed', async () => {
    const broken = fakeServer([view('failed', 1, 'audit_unavailable')]);
    const running = runDownload(broken.client, body, { signal: new AbortController().signal, onProgress: () => undefined, pollMs: 1 });
    broken.feed().enqueue(new Uint8Array([0x50]));
    broken.feed().error(new TypeError('network error'));
    await expect(running).rejects.toBeInstanceOf(DownloadBroken);

    const failed = fakeServer([view('failed', 1, 'audit_unavailable')]);
    const ended = runDownload(failed.client, body, { signal: new AbortController().signal, onProgress: () => undefined, pollMs: 1 });
    failed.feed().close();
    const err = await ended.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DownloadBroken);
    expect((err as DownloadBroken).reason).toBe('audit_unavailable');
  });

  it('stops on cancel as an abort, and passes a refusal on as the server’s error', async () => {
    const server = fakeServer([view('running', 0)]);
    const controller = new AbortController();
    const running = runDownload(server.client, body, { signal: controller.signal, onProgress: () => undefined, pollMs: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });

    const refusing = fakeServer([]);
    refusing.client.download = () => Promise.reject(new ApiError({ status: 401, code: 'reauth_required', message: 'again' }));
    await expect(runDownload(refusing.client, body, { signal: new AbortController().signal, onProgress: () => undefined })).rejects.toMatchObject({ code: 'reauth_required' });
  });
});
