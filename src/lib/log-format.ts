import pino, { type Logger as PinoLogger } from 'pino';
import type { LogFormat, LogLevel } from './config.js';
import { loggerOptions } from './logger.js';

// What the service writes to its console (new-user finding of issue 11). JSON lines serve a log
// collector; on a terminal they buried the setup link, so there each record becomes one short
// line — `09:05:07.042Z INFO  req_… message key=value` — written by this formatter without a
// transport or worker thread (pino-pretty is not a dependency). OPENEKS_LOG_FORMAT chooses:
// `auto` (text on a terminal, JSON otherwise), `json` or `text`. Redaction (logger.ts) happens in
// pino before either form.

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Values made of these stay bare; anything else is written as a JSON string. */
const BARE = /^[\w.:/@+\-[\]]+$/;

type Fields = Record<string, unknown>;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** SEC-15: control characters are written escaped, so no value can start a line of its own. */
function escaped(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

function value(v: unknown): string {
  if (typeof v === 'string') return BARE.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  return JSON.stringify(v) ?? String(v);
}

function pairs(fields: Fields, prefix = '', depth = 0): string[] {
  return Object.entries(fields).flatMap(([key, v]) => (isFields(v) && depth < 3 ? pairs(v, `${prefix}${key}.`, depth + 1) : [`${escaped(prefix + key)}=${value(v)}`]));
}

function timeOf(time: unknown): string {
  return typeof time === 'number' ? `${new Date(time).toISOString().slice(11, 23)}Z` : '--:--:--.---Z';
}

/** One pino JSON record as a line for people; a line that is no record passes unchanged. */
export function formatLogLine(line: string): string {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return line;
  }
  if (!isFields(record)) return line;
  // service, pid and hostname say nothing on the console of the one process that writes them.
  const { level, time, msg, reqId, req, res, responseTime, err, service: _service, pid: _pid, hostname: _hostname, ...rest } = record;
  const parts = [timeOf(time), (typeof level === 'number' ? (LEVELS[level] ?? String(level)) : 'LOG').padEnd(5)];
  if (typeof reqId === 'string') parts.push(escaped(reqId));
  if (typeof msg === 'string') parts.push(escaped(msg));
  if (isFields(req) && typeof req.method === 'string' && typeof req.url === 'string') parts.push(`${escaped(req.method)} ${escaped(req.url)}`);
  if (isFields(res) && typeof res.statusCode === 'number') parts.push(String(res.statusCode));
  if (typeof responseTime === 'number') parts.push(`${responseTime.toFixed(1)} ms`);
  parts.push(...pairs(rest));
  let text = parts.join(' ');
  if (isFields(err)) {
    const type = typeof err.type === 'string' ? err.type : 'Error';
    text += ` err=${value(`${type}: ${typeof err.message === 'string' ? err.message : ''}`)}`;
    if (typeof err.stack === 'string') text += err.stack.split('\n').map((l) => `\n    ${escaped(l)}`).join('');
  }
  return `${text}\n`;
}

export function logFormatFor(format: LogFormat, isTTY: boolean): 'json' | 'text' {
  return format === 'auto' ? (isTTY ? 'text' : 'json') : format;
}

/** Where the service logs: stdout, which tells whether it is a terminal. */
export interface LogOutput {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** The service's logger: pino with the shared options, writing text or JSON to `out`. */
export function createLogger(config: { logLevel: LogLevel; logFormat: LogFormat }, out: LogOutput): PinoLogger {
  const options = loggerOptions(config.logLevel);
  if (logFormatFor(config.logFormat, out.isTTY === true) === 'json') return pino(options, out);
  return pino(options, { write: (line: string) => out.write(formatLogLine(line)) });
}

/**
 * The one-time link that creates the first operator, printed (not logged) so that it stands out
 * from the log lines around it: framed by rules, and bold on a terminal.
 */
export function setupLinkNotice(link: string, expiresAt: string, tty: boolean): string {
  const rule = `  ${'─'.repeat(76)}`;
  const shown = tty ? `\u001b[1m${link}\u001b[22m` : link;
  return [
    '',
    rule,
    '  openeks has no operator yet. Open this one-time link to create the first one',
    `  (valid until ${expiresAt}; a restart issues a new link):`,
    '',
    `    ${shown}`,
    '',
    rule,
    '',
    '',
  ].join('\n');
}
