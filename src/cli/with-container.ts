import pino from 'pino';
import { systemClock } from '../lib/clock.js';
import type { Settings } from '../lib/config.js';
import { redactedPaths } from '../lib/logger.js';
import { createContainer, type Container } from '../core/container.js';

/** Runs one command against the same services the API uses, then closes everything. */
export async function withContainer<T>(settings: Settings, run: (container: Container) => Promise<T>): Promise<T> {
  const { config } = settings;
  // Warnings and worse on stderr, so that stdout stays the command's output; redacted like the service's log (SEC-08).
  const level = config.logLevel === 'info' ? 'warn' : config.logLevel;
  const logger = pino({ level, redact: { paths: redactedPaths, censor: '[redacted]' } }, pino.destination(2));
  const container = await createContainer({ ...settings, clock: systemClock, logger });
  try {
    return await run(container);
  } finally {
    await container.close();
  }
}
