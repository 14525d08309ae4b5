import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has the documented embedded defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '127.0.0.1',
      port: 8080,
      databaseUrl: 'sqlite:./data/openeks.db',
      masterKey: 'file:./data/master.key',
      smtpUrl: undefined,
      mailFrom: 'openeks <no-reply@localhost>',
      redisUrl: undefined,
      mqttUrl: undefined,
    });
    expect(config.publicUrl.toString()).toBe('http://localhost:8080/');
  });

  it.each([
    ['OPENEKS_PORT', '80a'],
    ['OPENEKS_PORT', '70000'],
    ['OPENEKS_PUBLIC_URL', 'localhost:8080'],
    ['OPENEKS_DATABASE_URL', 'mysql://x'],
    ['OPENEKS_MASTER_KEY', 'plain-secret-value'],
    ['OPENEKS_SMTP_URL', 'http://mail'],
    ['OPENEKS_REDIS_URL', 'tcp://x'],
    ['OPENEKS_MQTT_URL', 'amqp://x'],
    ['OPENEKS_LOG_LEVEL', 'loud'],
    ['OPENEKS_TRUST_PROXY', 'yes'],
    ['OPENEKS_MAIL_FROM', 'a\nBcc: victim@example.com'],
  ])('stops on a malformed %s and names it', (variable, value) => {
    let thrown: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(variable);
    expect((thrown as ConfigError).message.startsWith(`${variable}:`)).toBe(true);
  });

  it('never puts a secret into the message', () => {
    expect(() => loadConfig({ OPENEKS_SMTP_URL: 'ftp://user:S3cretPass@mail' })).toThrow(/^OPENEKS_SMTP_URL: must start with/);
    expect(() => loadConfig({ OPENEKS_MASTER_KEY: 'S3cretMasterKeyBytes' })).not.toThrow(/S3cret/);
  });
});
