import { Writable } from 'node:stream';
import pino from 'pino';
import { loggerOptions } from '../../src/lib/logger.js';

/** A real pino logger with the service's options, writing into memory for SEC-08 greps. */
export function captureLogs(level = 'info') {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino(loggerOptions(level), stream);
  return { logger, lines, text: () => lines.join('') };
}
