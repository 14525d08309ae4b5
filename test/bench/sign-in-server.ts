import Fastify from 'fastify';
import { buildApp } from '../../src/core/app.js';
import { createContainer } from '../../src/core/container.js';
import { systemClock } from '../../src/lib/clock.js';
import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { silentLogger } from './kit.js';
import { benchPassword, benchUsers } from './sign-in-support.js';

// The server side of sign-in.bench.ts, in a process of its own so that the load generator's
// work never runs on the server's event loop: the real app listening on loopback, and beside it
// a Fastify hello-world (the floor) in the same process. Started with the database and master
// key in the environment; prints one JSON line with both ports; ends on SIGTERM.
//
// Raised limits, so the figures measure the work and not a refusal: the HTTP rate limits, and
// the per-address brute-force throttle (50 failures per address would otherwise turn the attack
// into cheap refusals that skip the password hash). Account locks stay as they are; a locked
// account's attempts are still hashed (same timing), so they cost the same.

const url = process.env.OPENEKS_BENCH_PROBE_DATABASE_URL;
const masterKey = process.env.OPENEKS_BENCH_PROBE_MASTER_KEY;
if (url === undefined || masterKey === undefined) {
  process.stderr.write('sign-in-server: OPENEKS_BENCH_PROBE_DATABASE_URL and OPENEKS_BENCH_PROBE_MASTER_KEY must be set\n');
  process.exit(2);
}

const settings = loadSettings({ [envVar.databaseUrl]: url, [envVar.masterKey]: masterKey, [envVar.logLevel]: 'silent' });
const container = await createContainer({ ...settings, clock: systemClock, logger: silentLogger, signInLimits: { ipFailures: Number.MAX_SAFE_INTEGER } });
const app = await buildApp(container, { logger: false, rateLimits: { global: 1_000_000_000, auth: 1_000_000_000 } });

const now = new Date().toISOString();
const hash = await hashPassword(benchPassword);
for (const [key, email] of Object.entries(benchUsers)) {
  await container.db.kysely
    .insertInto('users')
    .values({ id: `usr_bench_${key}`, email, name: null, password_hash: hash, is_operator: 0, status: 'active', language: 'en', created_at: now, updated_at: now, email_verified_at: now })
    .execute();
}

const hello = Fastify({ logger: false });
hello.get('/', async () => ({ hello: 'world' }));

await app.listen({ host: '127.0.0.1', port: 0 });
await hello.listen({ host: '127.0.0.1', port: 0 });
const portOf = (address: ReturnType<typeof app.server.address>) => (typeof address === 'object' && address !== null ? address.port : 0);
process.stdout.write(`${JSON.stringify({ app: portOf(app.server.address()), hello: portOf(hello.server.address()) })}\n`);

let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  await hello.close();
  await app.close();
  await container.close();
  process.exit(0);
};
process.on('SIGTERM', () => void close());
process.on('SIGINT', () => void close());
// The bench process going away (a crash, Ctrl-C) closes the pipe: end with it.
process.stdin.on('end', () => void close());
process.stdin.resume();
