import { dirname } from 'node:path';
import { ConfigError } from './config-error.js';
import { envVar } from './env-vars.js';
import { parseMasterKeySpec, type MasterKeySpec } from './master-key-spec.js';
import { defaultPublicUrl } from './public-url.js';
import { Secret } from './secret.js';

// Configuration from the environment (README "Configuration"; the names in env-vars.ts). Only
// src/main.ts passes process.env in. A malformed value stops start-up with a message that names
// the variable and never prints its value (it may hold a secret).
//
// What is read splits in two. `Config` is handed to every part of the service (the container
// exposes it, the app reads it), so it holds no secret. `Secrets` go to the composition root (and
// the few commands that open the database) alone, which hands each to the one thing that needs
// it: the master key spec to the vault's provider, the database, Redis and SMTP URLs (each may
// carry a password) to their connections, the MQTT URL to the gateway.

export interface Config {
  host: string;
  port: number;
  publicUrl: URL;
  mailFrom: string;
  /**
   * Where the development outbox (no SMTP) writes each mail as an .eml file: beside the SQLite
   * file by default, or ./data/outbox with PostgreSQL. Not a secret, but only the service's own
   * user may read it (the mails hold one-time links).
   */
  outboxDir: string;
  /**
   * The append-only file the audit chain's head is anchored in (SEC-14): outside the database, so
   * whoever can rewrite the database cannot also rewrite it. Beside the SQLite file by default.
   */
  auditAnchors: string;
  logLevel: LogLevel;
  /** `auto`: human-readable lines on a terminal, JSON otherwise (src/lib/log-format.ts). */
  logFormat: LogFormat;
  trustProxy: boolean;
}

export interface Secrets {
  masterKey: MasterKeySpec;
  /** `sqlite:PATH` or `postgres://user:password@…`. */
  databaseUrl: Secret<string>;
  /** undefined: mail stays in the development outbox. */
  smtpUrl: Secret<URL> | undefined;
  /** undefined: rate limits are counted in this process. */
  redisUrl: Secret<string> | undefined;
  /** undefined: the gateway's configuration names the broker (the demo embeds one). */
  mqttUrl: Secret<string> | undefined;
}

export interface Settings {
  config: Config;
  secrets: Secrets;
}

type Env = Readonly<Record<string, string | undefined>>;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof logLevels)[number];

function isLogLevel(value: string): value is LogLevel {
  return (logLevels as readonly string[]).includes(value);
}

const logFormats = ['auto', 'json', 'text'] as const;
export type LogFormat = (typeof logFormats)[number];

function isLogFormat(value: string): value is LogFormat {
  return (logFormats as readonly string[]).includes(value);
}

function read(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function parseUrl(name: string, value: string, protocols: string[]): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, 'is not a valid URL');
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return url;
}

export function loadSettings(env: Env): Settings {
  const host = read(env, envVar.host, '127.0.0.1');
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host)) throw new ConfigError(envVar.host, 'is not a host name or address');

  const portText = read(env, envVar.port, '8080');
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 0 || port > 65535) {
    throw new ConfigError(envVar.port, 'must be a port number from 0 to 65535');
  }

  // Unset, the links point where the service listens (README "Configuration").
  const publicUrl = parseUrl(envVar.publicUrl, read(env, envVar.publicUrl, defaultPublicUrl(host, port)), ['http:', 'https:']);

  const databaseUrl = read(env, envVar.databaseUrl, 'sqlite:./data/openeks.db');
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) {
    throw new ConfigError(envVar.databaseUrl, 'must be sqlite:PATH or postgres://…');
  }

  const masterKey = parseMasterKeySpec(read(env, envVar.masterKey, 'file:./data/master.key'), env);

  const smtpText = env[envVar.smtpUrl];
  const smtpUrl = smtpText ? new Secret(parseUrl(envVar.smtpUrl, smtpText, ['smtp:', 'smtps:'])) : undefined;

  // The SQLite path carries no password, so its folder may go into Config.
  const sqliteFile = databaseUrl.startsWith('sqlite:') ? databaseUrl.slice('sqlite:'.length) : undefined;
  const outboxDir = read(env, envVar.outboxDir, sqliteFile === undefined || sqliteFile === ':memory:' ? './data/outbox' : `${dirname(sqliteFile)}/outbox`);
  if (/[\u0000-\u001f]/.test(outboxDir)) throw new ConfigError(envVar.outboxDir, 'must be a folder path without control characters');
  const auditAnchors = read(env, envVar.auditAnchors, sqliteFile === undefined || sqliteFile === ':memory:' ? './data/audit-anchors.jsonl' : `${dirname(sqliteFile)}/audit-anchors.jsonl`);
  if (auditAnchors === '' || /[\u0000-\u001f]/.test(auditAnchors)) throw new ConfigError(envVar.auditAnchors, 'must be a file path without control characters');

  const mailFrom = read(env, envVar.mailFrom, 'openeks <no-reply@localhost>');
  if (mailFrom.length > 320 || /[\r\n]/.test(mailFrom)) throw new ConfigError(envVar.mailFrom, 'must be one line of at most 320 characters');

  const redisText = env[envVar.redisUrl];
  if (redisText) parseUrl(envVar.redisUrl, redisText, ['redis:', 'rediss:']);

  const mqttText = env[envVar.mqttUrl];
  if (mqttText) parseUrl(envVar.mqttUrl, mqttText, ['mqtt:', 'mqtts:', 'ws:', 'wss:']);

  const logLevel = read(env, envVar.logLevel, 'info');
  if (!isLogLevel(logLevel)) throw new ConfigError(envVar.logLevel, `must be one of ${logLevels.join(', ')}`);

  const logFormat = read(env, envVar.logFormat, 'auto');
  if (!isLogFormat(logFormat)) throw new ConfigError(envVar.logFormat, `must be one of ${logFormats.join(', ')}`);

  const trustProxyText = read(env, envVar.trustProxy, 'false');
  if (trustProxyText !== 'true' && trustProxyText !== 'false') throw new ConfigError(envVar.trustProxy, 'must be true or false');

  return {
    config: {
      host,
      port,
      publicUrl,
      mailFrom,
      outboxDir,
      auditAnchors,
      logLevel,
      logFormat,
      trustProxy: trustProxyText === 'true',
    },
    secrets: {
      masterKey,
      databaseUrl: new Secret(databaseUrl),
      smtpUrl,
      redisUrl: redisText ? new Secret(redisText) : undefined,
      mqttUrl: mqttText ? new Secret(mqttText) : undefined,
    },
  };
}
