import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildApp } from '../../src/core/app.js';
import { createContainer, type Container } from '../../src/core/container.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import type { FastifyInstance } from 'fastify';
import { FixedClock } from '../support/clock.js';
import { startTcpProxy } from '../support/tcp-proxy.js';
import { testMasterKey } from '../harness.js';
import pg from 'pg';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// "Database down: /readyz 503, reconnects by itself, no crash." PostgreSQL is reached through a
// relay that the test cuts and restores; this file always uses the machine's PostgreSQL, on both
// runs of the suite, since SQLite is a file and cannot go away like this.
const server = process.env.OPENEKS_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const name = `openeks_outage_${randomBytes(5).toString('hex')}`;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let container: Container;
let app: FastifyInstance;

async function admin(query: string) {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`CREATE DATABASE "${name}"`);
  const target = new URL(server);
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const url = new URL(server);
  url.host = `127.0.0.1:${proxy.port}`;
  url.pathname = `/${name}`;
  // The anchor file in the temporary folder, not ./data of the checkout.
  const settings = loadSettings({ [envVar.databaseUrl]: url.toString(), [envVar.masterKey]: testMasterKey(), [envVar.auditAnchors]: join(tmpdir(), `${name}-audit-anchors.jsonl`) });
  container = await createContainer({ ...settings, clock: new FixedClock(), logger: pino({ level: 'silent' }) });
  app = await buildApp(container, { logger: false });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await container?.close();
  await proxy?.close();
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await rm(join(tmpdir(), `${name}-audit-anchors.jsonl`), { force: true });
});

describe('database outage', () => {
  it('answers 503 database_unavailable while the database is gone and recovers by itself', async () => {
    expect((await app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    proxy.cut();
    const down = await app.inject({ method: 'GET', url: '/readyz' });
    expect(down.statusCode).toBe(503);
    expect(down.json().error.code).toBe('database_unavailable');
    const signIn = await app.inject({ method: 'POST', url: '/api/session', payload: { email: 'a@example.com', password: 'some password' } });
    expect(signIn.statusCode).toBe(503);
    expect(signIn.json().error.code).toBe('database_unavailable');
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);

    proxy.restore();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i += 1) {
      status = (await app.inject({ method: 'GET', url: '/readyz' })).statusCode;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
  });
});
