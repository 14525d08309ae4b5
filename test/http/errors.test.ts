import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const errorOf = (body: string) => JSON.parse(body).error as { code: string; message: string; requestId: string; details?: Array<{ field: string; reason: string }> };

describe('one error body for everything', () => {
  it('names a missing field', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'a@example.com' } });
    expect(res.statusCode).toBe(400);
    const error = errorOf(res.body);
    expect(error).toMatchObject({ code: 'validation_failed', details: [{ field: 'password', reason: 'is required' }] });
    expect(error.requestId).toBe(res.headers['x-request-id']);
  });

  it('names an unknown field instead of dropping it', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'a@example.com', password: 'x', admin: true } });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res.body)).toMatchObject({ code: 'validation_failed', details: [{ field: 'admin', reason: 'is not a known field' }] });
  });

  it('names a field of the wrong type', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 42, password: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res.body).details?.[0]?.field).toBe('email');
  });

  it('refuses an over-long field with its name', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: `${'a'.repeat(300)}@example.com`, password: 'x' } });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res.body).details?.[0]?.field).toBe('email');
  });

  it('answers 413 to a body over the limit', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(res.statusCode).toBe(413);
    expect(errorOf(res.body).code).toBe('body_too_large');
  });

  it('answers 415 to a form post (no cross-site form can reach a JSON route)', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'email=a%40example.com&password=x' });
    expect(res.statusCode).toBe(415);
    expect(errorOf(res.body).code).toBe('unsupported_media_type');
  });

  it('answers 400 to broken JSON', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', headers: { 'content-type': 'application/json' }, payload: '{"email":' });
    expect(res.statusCode).toBe(400);
    expect(errorOf(res.body).code).toBe('validation_failed');
  });

  it('answers 404 as JSON under /api', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/does-not-exist' });
    expect(res.statusCode).toBe(404);
    expect(errorOf(res.body).code).toBe('not_found');
  });

  it('never echoes the secret it was sent', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'not-an-email', password: 'Geheim-Kanarienvogel-123' } });
    expect(res.body).not.toContain('Geheim-Kanarienvogel-123');
    expect(t.logs()).not.toContain('Geheim-Kanarienvogel-123');
  });
});

describe('health and API documents', () => {
  it('/healthz and /readyz answer 200 when unsealed and the database is up', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('serves OpenAPI 3 generated from the route schemas, and the browsable docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/session', '/api/operator-setup', '/api/mail/outbox', '/readyz']));
    expect(doc.paths['/api/session'].post.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    const docs = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.headers['content-type']).toContain('text/html');
  });
});

describe('rate limits', () => {
  it('answers 429 with Retry-After past the auth limit, in the common error body', async () => {
    const limited = await createTestApp({ app: { rateLimits: { global: 1000, auth: 3 } } });
    try {
      const statuses: number[] = [];
      let last = '';
      for (let i = 0; i < 5; i += 1) {
        const res = await limited.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'a@example.com', password: 'wrong password' } });
        statuses.push(res.statusCode);
        if (res.statusCode === 429) {
          last = res.body;
          expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        }
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      expect(errorOf(last).code).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });
});
