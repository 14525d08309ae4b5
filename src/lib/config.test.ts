import { inspect } from 'node:util';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { loadSettings, type Settings } from './config.js';
import { ConfigError } from './config-error.js';
import { envVar } from './env-vars.js';

const hsm = 'pkcs11:module=/usr/lib/softhsm/libsofthsm2.so;token=openeks';

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadSettings(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('no ConfigError');
}

describe('configuration', () => {
  it('has the documented embedded defaults', () => {
    const { config, secrets } = loadSettings({});
    expect(config).toEqual({
      host: '127.0.0.1',
      port: 8080,
      publicUrl: new URL('http://localhost:8080'),
      mailFrom: 'openeks <no-reply@localhost>',
      outboxDir: './data/outbox',
      auditAnchors: './data/audit-anchors.jsonl',
      logLevel: 'info',
      logFormat: 'auto',
      trustProxy: false,
    });
    expect(config.publicUrl.toString()).toBe('http://localhost:8080/');
    expect(secrets.masterKey).toEqual({ kind: 'file', path: './data/master.key' });
    expect(secrets.databaseUrl.reveal()).toBe('sqlite:./data/openeks.db');
    expect([secrets.smtpUrl, secrets.redisUrl, secrets.mqttUrl]).toEqual([undefined, undefined, undefined]);
  });

  it('reads every variable', () => {
    const { config, secrets } = loadSettings({
      [envVar.host]: '0.0.0.0',
      [envVar.port]: '9090',
      [envVar.publicUrl]: 'https://eks.example.com',
      [envVar.databaseUrl]: 'postgres://eks@db:5432/eks',
      [envVar.masterKey]: 'file:/var/lib/openeks/master.key',
      [envVar.smtpUrl]: 'smtps://mailer:pw@mail.example.com:465',
      [envVar.mailFrom]: 'EKS <eks@example.com>',
      [envVar.outboxDir]: '/var/lib/openeks/outbox',
      [envVar.auditAnchors]: '/var/log/openeks/anchors.jsonl',
      [envVar.redisUrl]: 'redis://cache:6379',
      [envVar.mqttUrl]: 'mqtts://broker:8883',
      [envVar.logLevel]: 'warn',
      [envVar.logFormat]: 'json',
      [envVar.trustProxy]: 'true',
    });
    expect(config).toEqual({
      host: '0.0.0.0',
      port: 9090,
      publicUrl: new URL('https://eks.example.com'),
      mailFrom: 'EKS <eks@example.com>',
      outboxDir: '/var/lib/openeks/outbox',
      auditAnchors: '/var/log/openeks/anchors.jsonl',
      logLevel: 'warn',
      logFormat: 'json',
      trustProxy: true,
    });
    expect(secrets.masterKey).toEqual({ kind: 'file', path: '/var/lib/openeks/master.key' });
    expect(secrets.smtpUrl?.reveal().href).toBe('smtps://mailer:pw@mail.example.com:465');
    expect(secrets.databaseUrl.reveal()).toBe('postgres://eks@db:5432/eks');
    expect(secrets.redisUrl?.reveal()).toBe('redis://cache:6379');
    expect(secrets.mqttUrl?.reveal()).toBe('mqtts://broker:8883');
  });

  // Every value carries the canary "Xq7canary": a message must name the variable, say what is
  // wrong, and never repeat the value (it may be a secret).
  const malformed: [string, string, string][] = [
    [envVar.host, 'Xq7canary host', 'is not a host name or address'],
    [envVar.port, '80Xq7canary', 'must be a port number from 0 to 65535'],
    [envVar.port, '70000', 'must be a port number from 0 to 65535'],
    [envVar.publicUrl, '//Xq7canary', 'is not a valid URL'],
    [envVar.publicUrl, 'localhost:Xq7canary', 'must start with http:// or https://'],
    [envVar.publicUrl, 'ftp://Xq7canary', 'must start with http:// or https://'],
    [envVar.databaseUrl, 'mysql://Xq7canary', 'must be sqlite:PATH or postgres://…'],
    [envVar.masterKey, 'Xq7canary-plain-secret-value', 'must be file:PATH, env:BASE64 or pkcs11:…'],
    [envVar.masterKey, 'file:', 'must be file:PATH, env:BASE64 or pkcs11:…'],
    [envVar.masterKey, 'pkcs11:', 'must be file:PATH, env:BASE64 or pkcs11:…'],
    [envVar.smtpUrl, 'ftp://user:Xq7canary@mail', 'must start with smtp:// or smtps://'],
    [envVar.smtpUrl, 'user:Xq7canary', 'must start with smtp:// or smtps://'],
    [envVar.mailFrom, 'a\nBcc: Xq7canary@example.com', 'must be one line of at most 320 characters'],
    [envVar.outboxDir, 'Xq7canary\nfolder', 'must be a folder path without control characters'],
    [envVar.auditAnchors, 'Xq7canary\nfile', 'must be a file path without control characters'],
    [envVar.redisUrl, 'tcp://Xq7canary', 'must start with redis:// or rediss://'],
    [envVar.mqttUrl, 'amqp://Xq7canary', 'must start with mqtt:// or mqtts:// or ws:// or wss://'],
    [envVar.logLevel, 'Xq7canary', 'must be one of fatal, error, warn, info, debug, trace, silent'],
    [envVar.logFormat, 'Xq7canary', 'must be one of auto, json, text'],
    [envVar.trustProxy, 'Xq7canary', 'must be true or false'],
  ];

  it.each(malformed)('stops on a malformed %s (%j), naming the variable and not the value', (variable, value, reason) => {
    const err = configErrorOf({ [variable]: value });
    expect(err.variable).toBe(variable);
    expect(err.message).toBe(`${variable}: ${reason}`);
    expect(err.message).not.toContain('Xq7canary');
  });

  it('checks a malformed value of every variable', () => {
    expect(new Set(malformed.map(([variable]) => variable))).toEqual(new Set(Object.values(envVar)));
  });
});

describe('the public URL', () => {
  const publicUrlOf = (env: Record<string, string>) => loadSettings(env).config.publicUrl.href;

  // New-user finding of issue 11: with another port every link was dead (http://localhost:8080).
  it('follows the port when unset, naming localhost for a loopback or wildcard address', () => {
    expect(publicUrlOf({ [envVar.port]: '9090' })).toBe('http://localhost:9090/');
    for (const host of ['127.0.0.1', '127.0.1.1', 'localhost', '::1', '[::1]', '0.0.0.0', '::', '[::]']) {
      expect({ host, url: publicUrlOf({ [envVar.host]: host, [envVar.port]: '8181' }) }).toEqual({ host, url: 'http://localhost:8181/' });
    }
  });

  it('follows a specific host when unset, IPv6 in brackets', () => {
    expect(publicUrlOf({ [envVar.host]: '192.168.10.5', [envVar.port]: '8443' })).toBe('http://192.168.10.5:8443/');
    expect(publicUrlOf({ [envVar.host]: 'eks.internal' })).toBe('http://eks.internal:8080/');
    expect(publicUrlOf({ [envVar.host]: 'fd00::5' })).toBe('http://[fd00::5]:8080/');
    expect(publicUrlOf({ [envVar.port]: '80' })).toBe('http://localhost/');
  });

  it('is what it is set to, whatever host and port', () => {
    expect(publicUrlOf({ [envVar.port]: '9090', [envVar.publicUrl]: 'https://eks.example.com' })).toBe('https://eks.example.com/');
  });
});

describe('the development outbox folder', () => {
  const outboxOf = (env: Record<string, string>) => loadSettings(env).config.outboxDir;

  it('lies beside the SQLite file, in ./data/outbox with PostgreSQL, or where the variable says', () => {
    expect(outboxOf({ [envVar.databaseUrl]: 'sqlite:/var/lib/openeks/eks.db' })).toBe('/var/lib/openeks/outbox');
    expect(outboxOf({ [envVar.databaseUrl]: 'sqlite:eks.db' })).toBe('./outbox');
    expect(outboxOf({ [envVar.databaseUrl]: 'postgres://eks@db:5432/eks' })).toBe('./data/outbox');
    expect(outboxOf({ [envVar.databaseUrl]: 'postgres://eks@db:5432/eks', [envVar.outboxDir]: '/srv/mail' })).toBe('/srv/mail');
  });
});

describe('the master key spec', () => {
  const masterKey = (value: string, env: Record<string, string> = {}) => loadSettings({ ...env, [envVar.masterKey]: value }).secrets.masterKey;

  it('file:PATH', () => {
    expect(masterKey('file:/run/openeks/master.key')).toEqual({ kind: 'file', path: '/run/openeks/master.key' });
  });

  it('env:KEYS, named by the variable, the keys wrapped (a short or empty key seals the vault later)', () => {
    const spec = masterKey('env:v2=AAAA,v1=BBBB');
    expect(spec.kind === 'env' && { variable: spec.variable, keys: spec.keys.reveal() }).toEqual({ variable: 'OPENEKS_MASTER_KEY', keys: 'v2=AAAA,v1=BBBB' });
    const empty = masterKey('env:');
    expect(empty.kind === 'env' && empty.keys.reveal()).toBe('');
  });

  it('pkcs11: with its PIN from the named variable, read now', () => {
    const spec = masterKey(`${hsm};pin=env:HSM_PIN;label=eks`, { HSM_PIN: '246810' });
    expect(spec.kind).toBe('pkcs11');
    if (spec.kind !== 'pkcs11') return;
    expect(spec.spec).toEqual({ module: '/usr/lib/softhsm/libsofthsm2.so', token: 'openeks', pin: { kind: 'env', name: 'HSM_PIN' }, label: 'eks' });
    expect(spec.envPin?.reveal()).toBe('246810');
  });

  it('pkcs11: without the PIN variable set, or with a PIN file, carries no PIN (the provider reports it)', () => {
    const unset = masterKey(`${hsm};pin=env:HSM_PIN`);
    expect(unset.kind === 'pkcs11' && unset.envPin).toBeUndefined();
    const file = masterKey(`${hsm};pin=file:/run/secrets/pin`, { HSM_PIN: '246810' });
    expect(file.kind === 'pkcs11' && { pin: file.spec.pin, envPin: file.envPin }).toEqual({ pin: { kind: 'file', path: '/run/secrets/pin' }, envPin: undefined });
  });

  it('pkcs11: with wrong fields is unusable: the service starts sealed with the reason, not the value', () => {
    expect(masterKey(`${hsm};pin=Xq7canary`)).toEqual({
      kind: 'unusable',
      label: 'pkcs11:',
      reason: 'master key pkcs11: spec: pin= must be env:NAME or file:PATH; the PIN itself never goes into the spec',
    });
  });
});

describe('secrets stay out of what is printed', () => {
  const masterKeyCanary = 'MkCanary0000000000000000000000000000000000A=';
  const smtpCanary = 'SmtpCanaryPassword';
  const pinCanary = 'PinCanary4711';
  const dbCanary = 'DbCanaryPassword';
  const redisCanary = 'RedisCanaryPassword';
  const mqttCanary = 'MqttCanaryPassword';
  const canaries = [masterKeyCanary, smtpCanary, pinCanary, dbCanary, redisCanary, mqttCanary];

  function load(masterKey: string): Settings {
    return loadSettings({
      [envVar.masterKey]: masterKey,
      [envVar.smtpUrl]: `smtps://mailer:${smtpCanary}@mail.example.com`,
      [envVar.databaseUrl]: `postgres://eks:${dbCanary}@db:5432/eks`,
      [envVar.redisUrl]: `redis://:${redisCanary}@cache:6379`,
      [envVar.mqttUrl]: `mqtts://gw:${mqttCanary}@broker:8883`,
      HSM_PIN: pinCanary,
    });
  }

  const both = [load(`env:${masterKeyCanary}`), load(`${hsm};pin=env:HSM_PIN`)];

  it('the Config that every part receives holds none of them', () => {
    for (const settings of both) {
      const text = JSON.stringify(settings.config);
      for (const canary of canaries) expect(text).not.toContain(canary);
    }
  });

  it('nor do the secrets when serialised, inspected or logged by mistake', () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(line) });
    for (const settings of both) {
      logger.info({ settings }, 'settings');
      for (const text of [JSON.stringify(settings), inspect(settings, { depth: 10 }), `${settings.secrets.smtpUrl}`]) {
        for (const canary of canaries) expect(text).not.toContain(canary);
      }
    }
    expect(lines).toHaveLength(2);
    for (const canary of canaries) expect(lines.join('')).not.toContain(canary);
    expect(lines.join('')).toContain('[redacted]');
  });

  it('while the composition root can still reveal them', () => {
    const [env, pkcs11] = both;
    expect(env?.secrets.masterKey.kind === 'env' && env.secrets.masterKey.keys.reveal()).toBe(masterKeyCanary);
    expect(pkcs11?.secrets.masterKey.kind === 'pkcs11' && pkcs11.secrets.masterKey.envPin?.reveal()).toBe(pinCanary);
    expect(env?.secrets.smtpUrl?.reveal().password).toBe(smtpCanary);
  });
});
