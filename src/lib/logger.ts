import type { LoggerOptions } from 'pino';

// pino options shared by the service and the CLI. Redaction is a safety net (SEC-08): code never
// logs a key, password or token on purpose, and these paths catch what a request or error drags in.
export const redactedPaths = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'req.headers["x-kem-password"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.key',
  '*.secret',
  '*.plaintext',
  '*.masterKey',
  '*.csrfToken',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: redactedPaths, censor: '[redacted]' },
    base: { service: 'openeks' },
  };
}

/** The part of a pino logger that services use; lets tests pass a recorder. */
export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
