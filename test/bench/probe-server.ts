import Fastify from 'fastify';
import { buildApp } from '../../src/core/app.js';
import { type ContainerOptions, createContainer } from '../../src/core/container.js';
import { systemClock } from '../../src/lib/clock.js';
import { loadSettings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { silentLogger } from './kit.js';

// The common part of the bench servers (sign-in-server.ts, export-token-server.ts), each in a
// process of its own started by startBenchServer (sign-in-support.ts): the real app from the
// database and master key in the environment, with the HTTP rate limits raised so that the figures
// measure the work and not a refusal; then, once seeded, the app and a Fastify hello-world (the
// floor) listening on loopback, one JSON line with both ports, and the end on SIGTERM.

export async function probeApp({ name, options = {} }: { name: string; options?: Pick<ContainerOptions, 'signInLimits'> }) {
  const url = process.env.OPENEKS_BENCH_PROBE_DATABASE_URL;
  const masterKey = process.env.OPENEKS_BENCH_PROBE_MASTER_KEY;
  if (url === undefined || masterKey === undefined) {
    process.stderr.write(`${name}: OPENEKS_BENCH_PROBE_DATABASE_URL and OPENEKS_BENCH_PROBE_MASTER_KEY must be set\n`);
    process.exit(2);
  }
  const settings = loadSettings({ [envVar.databaseUrl]: url, [envVar.masterKey]: masterKey, [envVar.logLevel]: 'silent' });
  const container = await createContainer({ ...settings, clock: systemClock, logger: silentLogger, ...options });
  const app = await buildApp(container, { logger: false, rateLimits: { global: 1_000_000_000, auth: 1_000_000_000 } });
  return { container, app };
}

/** Listens, prints `{ app, hello, ...extra }` as one line, and closes everything on SIGTERM. */
export async function serveWithHello({ container, app, extra = {} }: Awaited<ReturnType<typeof probeApp>> & { extra?: object }): Promise<void> {
  const hello = Fastify({ logger: false });
  hello.get('/', async () => ({ hello: 'world' }));

  await app.listen({ host: '127.0.0.1', port: 0 });
  await hello.listen({ host: '127.0.0.1', port: 0 });
  const portOf = (address: ReturnType<typeof app.server.address>) => (typeof address === 'object' && address !== null ? address.port : 0);
  process.stdout.write(`${JSON.stringify({ app: portOf(app.server.address()), hello: portOf(hello.server.address()), ...extra })}\n`);

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
}
