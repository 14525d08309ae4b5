import pino, { type Logger } from 'pino';
import { envVar } from '../lib/env-vars.js';
import { loggerOptions } from '../lib/logger.js';
import { CliFailure } from './cli-context.js';

// The gateway's log: pino JSON lines on standard error (standard output stays for `validate`'s
// answer), level from OPENEKS_LOG_LEVEL (default info), with the service's redaction rules.

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function gatewayLogger(env: NodeJS.ProcessEnv, out: { write(text: string): unknown }, fallback = 'info'): Logger {
  const level = env[envVar.logLevel] ?? fallback;
  if (!LEVELS.includes(level)) throw new CliFailure(`${envVar.logLevel} must be one of ${LEVELS.join(', ')}`, 2);
  return pino({ ...loggerOptions(level), base: { service: 'openeks-gateway' } }, { write: (line: string) => out.write(line) });
}
