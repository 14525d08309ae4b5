import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../harness.js';
import { envVar } from '../../src/lib/env-vars.js';

// Several instances behind a load balancer share their rate-limit counters through Redis
// (OPENEKS_REDIS_URL): what one instance counted, the other enforces.
const redisUrl = 'redis://127.0.0.1:6379';
const namespace = `openeks-test-${randomBytes(4).toString('hex')}:`;
const apps: TestApp[] = [];

afterAll(async () => {
  for (const app of apps) await app.close();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${namespace}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('rate limits in Redis', () => {
  it('counts across two instances', async () => {
    for (let i = 0; i < 2; i += 1) {
      apps.push(await createTestApp({ env: { [envVar.redisUrl]: redisUrl }, app: { rateLimits: { global: 1000, auth: 3 }, rateLimitNamespace: namespace } }));
    }
    const [a, b] = apps;
    if (!a || !b) throw new Error('two instances expected');
    const attempt = (t: TestApp) => t.app.inject({ method: 'POST', url: '/api/session', payload: { email: 'a@example.com', password: 'wrong password' } });
    const statuses = [(await attempt(a)).statusCode, (await attempt(b)).statusCode, (await attempt(a)).statusCode, (await attempt(b)).statusCode];
    expect(statuses).toEqual([401, 401, 401, 429]);
    const redis = new Redis(redisUrl);
    expect((await redis.keys(`${namespace}*`)).length).toBeGreaterThan(0);
    redis.disconnect();
  });
});
