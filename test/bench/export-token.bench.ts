import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../src/core/db/database.js';
import { type Bench, type BenchRow, row } from './kit.js';
import { load, percentile, startBenchServer, statusCounts } from './sign-in-support.js';

// The single-key fetch by API token (issue 13, docs/api-tokens.md): GET /api/devices/:id/keys
// with `Authorization: Bearer` — token look-up with its user's rights read afresh, the device in
// scope, the active keys decrypted, `key.read` audited and committed before the answer (group
// commit, audit-batch.ts) — in requests per second against Fastify's hello-world in the same
// server process, measured before and after (the mean). Goal: ≥ 0.5 of hello-world. The server
// runs in a process of its own (export-token-server.ts), the load generator here (keep-alive,
// bounded concurrency, loopback). Afterwards the audit trail must hold one `key.read` per answer.

const DURATION_MS = 5_000;
const CONCURRENCY = 32;
const GOAL_RATIO = 0.5;

export const bench: Bench = {
  name: 'export-token',
  async run({ database, log }): Promise<BenchRow[]> {
    const db = await database.create();
    try {
      log('seeding 1,000 devices (2 keys each), a superuser and his gateway token');
      const server = await startBenchServer<{ token: string; deviceIds: string[] }>({ script: 'export-token-server.ts', databaseUrl: db.url, masterKey: `env:${randomBytes(32).toString('base64')}` });
      let answered = 0;
      let fetchRate = 0;
      let helloRate = 0;
      let latencies: number[] = [];
      try {
        const headers = { authorization: `Bearer ${server.token}` };
        const fetchKeys = (i: number) => ({ method: 'GET' as const, path: `/api/devices/${server.deviceIds[i % server.deviceIds.length] ?? ''}/keys`, headers });
        const hello = () => load({ port: server.hello, concurrency: CONCURRENCY, durationMs: DURATION_MS, next: () => ({ method: 'GET', path: '/' }) });
        // Warm-up: JIT, connections, the vault's data-key cache.
        await load({ port: server.hello, concurrency: 8, count: 2_000, next: () => ({ method: 'GET', path: '/' }) });
        const warm = await load({ port: server.app, concurrency: 8, count: 2_000, next: fetchKeys });
        if (warm.shots.some((s) => s.status !== 200)) throw new Error(`key fetch refused: ${statusCounts(warm.shots)}; ${warm.shots.find((s) => s.status !== 200)?.body ?? ''}`);

        log('hello-world (1/2)');
        const before = await hello();
        log(`GET /api/devices/:id/keys with a Bearer token, ${CONCURRENCY} in flight for ${DURATION_MS / 1000} s`);
        const fetched = await load({ port: server.app, concurrency: CONCURRENCY, durationMs: DURATION_MS, next: fetchKeys });
        if (fetched.shots.some((s) => s.status !== 200)) throw new Error(`key fetch refused: ${statusCounts(fetched.shots)}`);
        log('hello-world (2/2)');
        const after = await hello();
        answered = warm.shots.length + fetched.shots.length;
        fetchRate = fetched.perSecond;
        helloRate = (before.perSecond + after.perSecond) / 2;
        latencies = fetched.shots.map((s) => s.ms);
      } finally {
        await server.stop();
      }

      // Every answer was audited: one key.read per 200.
      const check = openDatabase(db.url);
      let audited = 0;
      let transactions = 'n/a';
      try {
        const count = await check.kysely.selectFrom('audit_log').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'key.read').executeTakeFirstOrThrow();
        audited = Number(count.n);
        transactions = `${answered} answers`;
      } finally {
        await check.close();
      }
      if (audited !== answered) throw new Error(`${answered} keys sent but ${audited} key.read records`);
      return [
        row({
          name: 'single-key fetch by API token',
          unit: 'req/s',
          figure: fetchRate,
          floor: helloRate,
          goal: { kind: 'ratio-at-least', value: GOAL_RATIO },
          note: `GET /api/devices/:id/keys (DEK + GPK1, hex) with a gateway token of a superuser of 1,000 devices, ${CONCURRENCY} in flight; p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms; ${audited} key.read records for ${transactions}; floor: Fastify hello-world in the server's process, ${Math.round(helloRate).toLocaleString('en')} req/s (mean of a round before and after)`,
        }),
      ];
    } finally {
      await db.cleanup();
    }
  },
};
