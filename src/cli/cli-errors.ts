import type { Writable } from 'node:stream';
import { ConfigError } from '../lib/config-error.js';
import { AppError } from '../shared/errors.js';
import { CliFailure } from './cli-context.js';

/**
 * Turns what a command threw into one line a person can act on, and the exit code: 2 for a
 * configuration error, the CliFailure's own code, 1 for anything else. src/main.ts reports a
 * failure of `serve` (a database migrated by a newer build, a port in use) the same way.
 */
export function reportFailure(err: unknown, stream: Writable): number {
  if (err instanceof ConfigError) {
    stream.write(`openeks: configuration error: ${err.message}\n`);
    return 2;
  }
  if (err instanceof CliFailure) {
    stream.write(`openeks: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof AppError) {
    stream.write(`openeks: ${err.message}\n`);
    return 1;
  }
  stream.write(`openeks: ${err instanceof Error ? err.message : 'failed'}\n`);
  return 1;
}
