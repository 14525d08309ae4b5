// The only file that reads process.env, listens and exits (docs/style.md). The command line
// decides what to do; when it says `serve`, this file serves.
import { loadSettings, type Settings } from './lib/config.js';
import { cliActor } from './cli/cli-context.js';
import { reportFailure } from './cli/cli-errors.js';
import { runCli } from './cli/program.js';

async function serve({ config, secrets }: Settings): Promise<void> {
  // The service's modules load here, not at start-up: the other commands (wmbus listen above all)
  // never need fastify, the database drivers or the container.
  const { systemClock } = await import('./lib/clock.js');
  const { createLogger, setupLinkNotice } = await import('./lib/log-format.js');
  const { publicUrlProblem } = await import('./lib/public-url.js');
  const { createContainer } = await import('./core/container.js');
  const { buildApp } = await import('./core/app.js');
  // Readable lines on a terminal, JSON for a collector (OPENEKS_LOG_FORMAT).
  const logger = createLogger(config, process.stdout);
  const container = await createContainer({ config, secrets, clock: systemClock, logger });
  const app = await buildApp(container, { logger });
  await app.listen({ host: config.host, port: config.port });
  container.mailDeliverer.start({ intervalMs: 5000 });
  if (container.outboxFolder !== undefined) {
    logger.info({ folder: container.outboxFolder }, 'no SMTP server: each mail is written to the development outbox folder (read it with `openeks mail list --body`)');
  }
  container.accessRequestDigest.start({ intervalMs: 30_000 });

  // Every link openeks hands out starts with the public URL: say so at once if it cannot reach us.
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const problem = publicUrlProblem(config, port);
  if (problem !== undefined) logger.warn({ publicUrl: config.publicUrl.origin, listening: `${config.host}:${port}` }, problem);

  const bootstrap = await container.operatorSetup.bootstrapLinkIfNoOperator(cliActor());
  if (bootstrap) process.stdout.write(setupLinkNotice(bootstrap.link, bootstrap.expiresAt, process.stdout.isTTY === true));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await app.close();
    await container.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // SEC-34: the last resort. A rejected promise nobody awaited is logged, not fatal; an
  // exception that escaped everything leaves the process in an unknown state: log and exit.
  process.on('unhandledRejection', (reason) => logger.error({ err: reason }, 'unhandled rejection'));
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'uncaught exception; exiting');
    process.exit(70);
  });
  await new Promise<void>(() => undefined);
}

// `openeks mail list | head` closes the pipe early: that is the reader's choice, not a failure.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

// Set once a long-running command was asked to stop: after its graceful close, the process exits
// even if a native handle (a serial port's poller) would keep it alive.
let stopRequested = false;
const outcome = await runCli(process.argv.slice(2), {
  loadSettings: () => loadSettings(process.env),
  out: process.stdout,
  err: process.stderr,
  env: process.env,
  // The first SIGINT/SIGTERM asks a long-running command to close; both handlers go then, so a
  // second signal ends the process at once if closing hangs.
  stopSignal: () => new Promise<string>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      stopRequested = true;
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }),
});
if ('serve' in outcome) {
  // A failure before the service runs (a database migrated by a newer build, a port in use) ends
  // like a failed command: one line, exit 1.
  await serve(outcome.serve).catch((err: unknown) => {
    process.exitCode = reportFailure(err, process.stderr);
  });
} else if (stopRequested) {
  process.exit(outcome.exitCode);
} else {
  process.exitCode = outcome.exitCode;
}
