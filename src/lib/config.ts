import { envVar } from './env-vars.js';

// Configuration from the environment (the names in env-vars.ts). Only src/main.ts passes process.env in; everything else
// receives the typed Config. A malformed value stops start-up with a message that names the
// variable and never prints its value (it may hold a secret: master key, SMTP password).

export interface Config {
  host: string;
  port: number;
  publicUrl: URL;
  databaseUrl: string;
  masterKey: string;
  smtpUrl: URL | undefined;
  mailFrom: string;
  redisUrl: string | undefined;
  mqttUrl: string | undefined;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  trustProxy: boolean;
}

export class ConfigError extends Error {
  readonly variable: string;
  constructor(variable: string, reason: string) {
    super(`${variable}: ${reason}`);
    this.name = 'ConfigError';
    this.variable = variable;
  }
}

type Env = Record<string, string | undefined>;

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

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

export function loadConfig(env: Env): Config {
  const host = read(env, envVar.host, '127.0.0.1');
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(host)) throw new ConfigError(envVar.host, 'is not a host name or address');

  const portText = read(env, envVar.port, '8080');
  const port = Number(portText);
  if (!/^\d{1,5}$/.test(portText) || port < 0 || port > 65535) {
    throw new ConfigError(envVar.port, 'must be a port number from 0 to 65535');
  }

  const publicUrl = parseUrl(envVar.publicUrl, read(env, envVar.publicUrl, 'http://localhost:8080'), ['http:', 'https:']);

  const databaseUrl = read(env, envVar.databaseUrl, 'sqlite:./data/openeks.db');
  if (!/^(sqlite:.+|postgres(ql)?:\/\/.+)$/.test(databaseUrl)) {
    throw new ConfigError(envVar.databaseUrl, 'must be sqlite:PATH or postgres://…');
  }

  const masterKey = read(env, envVar.masterKey, 'file:./data/master.key');
  if (!/^(file:.+|env:.*|pkcs11:.+)$/s.test(masterKey)) {
    throw new ConfigError(envVar.masterKey, 'must be file:PATH, env:BASE64 or pkcs11:…');
  }

  const smtpText = env[envVar.smtpUrl];
  const smtpUrl = smtpText ? parseUrl(envVar.smtpUrl, smtpText, ['smtp:', 'smtps:']) : undefined;

  const mailFrom = read(env, envVar.mailFrom, 'openeks <no-reply@localhost>');
  if (mailFrom.length > 320 || /[\r\n]/.test(mailFrom)) throw new ConfigError(envVar.mailFrom, 'must be one line of at most 320 characters');

  const redisText = env[envVar.redisUrl];
  if (redisText) parseUrl(envVar.redisUrl, redisText, ['redis:', 'rediss:']);

  const mqttText = env[envVar.mqttUrl];
  if (mqttText) parseUrl(envVar.mqttUrl, mqttText, ['mqtt:', 'mqtts:', 'ws:', 'wss:']);

  const logLevel = read(env, envVar.logLevel, 'info');
  if (!(logLevels as readonly string[]).includes(logLevel)) {
    throw new ConfigError(envVar.logLevel, `must be one of ${logLevels.join(', ')}`);
  }

  const trustProxyText = read(env, envVar.trustProxy, 'false');
  if (trustProxyText !== 'true' && trustProxyText !== 'false') throw new ConfigError(envVar.trustProxy, 'must be true or false');

  return {
    host,
    port,
    publicUrl,
    databaseUrl,
    masterKey,
    smtpUrl,
    mailFrom,
    redisUrl: redisText || undefined,
    mqttUrl: mqttText || undefined,
    logLevel: logLevel as Config['logLevel'],
    trustProxy: trustProxyText === 'true',
  };
}
