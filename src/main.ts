// The only file that reads process.env, listens and exits (STYLE.md).
import pino from 'pino';
import { systemClock } from './lib/clock.js';
import { loadConfig, type Config } from './lib/config.js';
import { loggerOptions } from './lib/logger.js';
import { buildApp } from './core/app.js';
import { createContainer } from './core/container.js';
import { cliActor } from './cli/cli-context.js';
import { runCli } from './cli/program.js';

async function serve(config: Config, env: Readonly<Record<string, string | undefined>>): Promise<void> {
  const logger = pino(loggerOptions(config.logLevel));
  const container = await createContainer({ config, clock: systemClock, logger, providerEnv: env });
  const app = await buildApp(container, { logger });
  await app.listen({ host: config.host, port: config.port });
  container.mailDeliverer.start({ intervalMs: 5000 });

  const bootstrap = await container.operatorSetup.bootstrapLinkIfNoOperator(cliActor());
  if (bootstrap) {
    process.stdout.write(
      `\n  openeks has no operator yet. Open this one-time link to create the first one\n  (valid until ${bootstrap.expiresAt}; a restart issues a new link):\n\n  ${bootstrap.link}\n\n`,
    );
  }

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

const code = await runCli(process.argv.slice(2), {
  loadConfig: () => loadConfig(process.env),
  env: process.env,
  out: process.stdout,
  err: process.stderr,
  serve,
});
process.exitCode = code;
