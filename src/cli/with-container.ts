import pino from 'pino';
import { systemClock } from '../lib/clock.js';
import type { Config } from '../lib/config.js';
import { createContainer, type Container } from '../core/container.js';

/** Runs one command against the same services the API uses, then closes everything. */
export async function withContainer<T>(config: Config, env: Readonly<Record<string, string | undefined>>, run: (container: Container) => Promise<T>): Promise<T> {
  const logger = pino({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }, pino.destination(2));
  const container = await createContainer({ config, clock: systemClock, logger, providerEnv: env });
  try {
    return await run(container);
  } finally {
    await container.close();
  }
}
