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

  it('answers 204 with undefined', async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 204 }));
    await expect(createApiClient({ fetch }).delete('/api/session')).resolves.toBeUndefined();
  });
});
