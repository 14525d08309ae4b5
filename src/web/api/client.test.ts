import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient } from './client.js';

interface Call {
  url: string;
  init: RequestInit;
}

function fakeFetch(response: () => Response): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fetchImpl: typeof fetch = async (input, init) => {
    calls.push({ url: String(input), init: init ?? {} });
    return response();
  };
  return { fetch: fetchImpl, calls };
}

const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8' } });
const headersOf = (call: Call | undefined) => new Headers(call?.init.headers);

describe('api client', () => {
  it('sends JSON with same-origin credentials and the CSRF token on state-changing requests only', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { ok: true }));
    const client = createApiClient({ fetch });
    client.setCsrfToken('csrf-1');

    await client.get('/api/session');
    await client.post('/api/session', { email: 'a@example.com' });
    await client.delete('/api/session');

    expect(calls.map((c) => [c.init.method, c.init.credentials])).toEqual([
      ['GET', 'same-origin'],
      ['POST', 'same-origin'],
      ['DELETE', 'same-origin'],
    ]);
    expect(headersOf(calls[0]).get('x-csrf-token')).toBeNull();
    expect(headersOf(calls[1]).get('x-csrf-token')).toBe('csrf-1');
    expect(headersOf(calls[1]).get('content-type')).toBe('application/json');
    expect(calls[1]?.init.body).toBe('{"email":"a@example.com"}');
    expect(headersOf(calls[2]).get('x-csrf-token')).toBe('csrf-1');
    expect(headersOf(calls[2]).get('content-type')).toBeNull();
  });

  it('sends no CSRF header before a session exists or after it is cleared', async () => {
    const { fetch, calls } = fakeFetch(() => json(200, {}));
    const client = createApiClient({ fetch });
    await client.post('/api/session', {});
    client.setCsrfToken('x');
    client.setCsrfToken(null);
    await client.post('/api/session', {});
    expect(calls.map((c) => headersOf(c).get('x-csrf-token'))).toEqual([null, null]);
  });

  it('parses the error body into a typed error, details included', async () => {
    const body = { error: { code: 'password_rejected', message: 'No.', requestId: 'req_1', details: [{ field: 'password', reason: 'at least 12 characters' }, { bad: 1 }] } };
    const { fetch } = fakeFetch(() => json(400, body));
    const error = await createApiClient({ fetch }).post('/api/operator-setup', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'password_rejected', message: 'No.', requestId: 'req_1', details: [{ field: 'password', reason: 'at least 12 characters' }] });
  });

  it('keeps the count a problem carries (selection_changed: the selection’s new size)', async () => {
    const body = { error: { code: 'selection_changed', message: 'Changed.', requestId: 'req_3', details: [{ field: 'selection.count', reason: 'the filter now matches 11 devices', count: 11 }] } };
    const { fetch } = fakeFetch(() => json(409, body));
    const error = await createApiClient({ fetch }).post('/api/grants', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 409, code: 'selection_changed', details: [{ field: 'selection.count', reason: 'the filter now matches 11 devices', count: 11 }] });
  });

  it('tells listeners when the server says the session has ended', async () => {
    const { fetch } = fakeFetch(() => json(401, { error: { code: 'unauthenticated', message: 'Please sign in.', requestId: 'req_2' } }));
    const client = createApiClient({ fetch });
    let ended = 0;
    const stop = client.onUnauthenticated(() => (ended += 1));
    await expect(client.get('/api/mail/outbox')).rejects.toMatchObject({ code: 'unauthenticated' });
    stop();
    await expect(client.get('/api/mail/outbox')).rejects.toMatchObject({ code: 'unauthenticated' });
    expect(ended).toBe(1);
  });

  it('turns a missing server and a non-JSON answer into client codes', async () => {
    const down: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    await expect(createApiClient({ fetch: down }).get('/api/session')).rejects.toMatchObject({ status: 0, code: 'network_error' });
    const { fetch: html } = fakeFetch(() => new Response('<html>', { status: 502, headers: { 'content-type': 'text/html' } }));
    await expect(createApiClient({ fetch: html }).get('/api/session')).rejects.toMatchObject({ status: 502, code: 'bad_response' });
  });

  it('downloads: POSTs JSON with the CSRF token and hands back the unread body; a refusal is the typed error', async () => {
    let answer = new Response('PK\u0003\u0004', { status: 200, headers: { 'content-type': 'application/zip', 'x-openeks-export-id': 'e1' } });
    const { fetch, calls } = fakeFetch(() => answer);
    const client = createApiClient({ fetch });
    client.setCsrfToken('csrf-9');
    let ended = 0;
    client.onUnauthenticated(() => (ended += 1));

    const response = await client.download('/api/exports', { format: 'kem' });
    expect(calls[0]?.init.method).toBe('POST');
    expect(headersOf(calls[0]).get('x-csrf-token')).toBe('csrf-9');
    expect(calls[0]?.init.body).toBe('{"format":"kem"}');
    expect(response.headers.get('x-openeks-export-id')).toBe('e1');
    await expect(response.text()).resolves.toBe('PK\u0003\u0004');

    // A stale sign-in is not the end of the session: nobody is told to sign in again.
    answer = json(401, { error: { code: 'reauth_required', message: 'Sign in again.', requestId: 'r1' } });
    const refused = await client.download('/api/exports', { format: 'kem' }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).code).toBe('reauth_required');
    expect((refused as ApiError).status).toBe(401);
    expect(ended).toBe(0);
  });

  it('answers 204 with undefined', async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(createApiClient({ fetch }).delete('/api/session')).resolves.toBeUndefined();
  });
});

/** Just enough of XMLHttpRequest for the upload: records what is sent, answers when told. */
class FakeXhr extends EventTarget {
  method = '';
  url = '';
  headers: Record<string, string> = {};
  body: unknown;
  status = 0;
  responseText = '';
  private responseHeaders: Record<string, string> = {};
  readonly upload = new EventTarget();
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name.toLowerCase()] = value;
  }
  getResponseHeader(name: string): string | null {
    return this.responseHeaders[name.toLowerCase()] ?? null;
  }
  send(body: unknown) {
    this.body = body;
  }
  abort() {
    this.dispatchEvent(new Event('abort'));
  }
  respond(status: number, body: unknown) {
    const progress = Object.assign(new Event('progress'), { loaded: 4, total: 4, lengthComputable: true });
    this.upload.dispatchEvent(progress);
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.responseHeaders = { 'content-type': 'application/json; charset=utf-8' };
    this.dispatchEvent(new Event('load'));
  }
}

describe('api client upload', () => {
  function uploadClient() {
    const xhrs: FakeXhr[] = [];
    const client = createApiClient({
      fetch: async () => json(200, {}),
      xhr: () => {
        const xhr = new FakeXhr();
        xhrs.push(xhr);
        return xhr as unknown as XMLHttpRequest;
      },
    });
    return { client, xhrs };
  }

  it('posts the file as the raw body with the CSRF token and extra headers, and reports progress', async () => {
    const { client, xhrs } = uploadClient();
    client.setCsrfToken('csrf-9');
    const file = new Blob(['kem!']);
    const progress: [number, number][] = [];
    const answer = client.upload('/api/imports?fileName=a.kem', file, { headers: { 'x-kem-password': 'secret' }, onProgress: (sent, total) => progress.push([sent, total]) });
    const xhr = xhrs[0];
    expect(xhr).toMatchObject({ method: 'POST', url: '/api/imports?fileName=a.kem', body: file });
    expect(xhr?.headers).toEqual({ accept: 'application/json', 'content-type': 'application/octet-stream', 'x-csrf-token': 'csrf-9', 'x-kem-password': 'secret' });
    xhr?.respond(202, { id: 'imp_1' });
    await expect(answer).resolves.toEqual({ id: 'imp_1' });
    expect(progress).toEqual([[4, 4]]);
  });

  it('fails with the typed error of the server, and as an abort when aborted', async () => {
    const { client, xhrs } = uploadClient();
    const failed = client.upload('/api/imports', new Blob(['x']));
    xhrs[0]?.respond(422, { error: { code: 'kem_password_wrong', message: 'No.', requestId: 'req_3' } });
    await expect(failed).rejects.toMatchObject({ status: 422, code: 'kem_password_wrong' });

    const controller = new AbortController();
    const aborted = client.upload('/api/imports', new Blob(['x']), { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
  });
});
