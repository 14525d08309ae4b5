import { hashPassword } from '../../src/lib/crypto/passwords.js';
import { probeApp, serveWithHello } from './probe-server.js';
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

const { container, app } = await probeApp({ name: 'sign-in-server', options: { signInLimits: { ipFailures: Number.MAX_SAFE_INTEGER } } });

const now = new Date().toISOString();
const hash = await hashPassword(benchPassword);
for (const [key, email] of Object.entries(benchUsers)) {
  await container.db.kysely
    .insertInto('users')
    .values({ id: `usr_bench_${key}`, email, name: null, password_hash: hash, is_operator: 0, status: 'active', language: 'en', created_at: now, updated_at: now, email_verified_at: now })
    .execute();
}

await serveWithHello({ container, app });
