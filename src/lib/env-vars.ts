// Every environment variable openeks reads as configuration, named once. Config loading reads
// them through this table, tests set them through it, and test/docs/configuration.test.ts checks
// that README.md's configuration table lists exactly these. Variables that only the tests or the
// benches read (OPENEKS_TEST_*, OPENEKS_BENCH_*) are not configuration and are not listed here.

export const envVar = {
  host: 'OPENEKS_HOST',
  port: 'OPENEKS_PORT',
  publicUrl: 'OPENEKS_PUBLIC_URL',
  databaseUrl: 'OPENEKS_DATABASE_URL',
  masterKey: 'OPENEKS_MASTER_KEY',
  smtpUrl: 'OPENEKS_SMTP_URL',
  outboxDir: 'OPENEKS_OUTBOX_DIR',
  auditAnchors: 'OPENEKS_AUDIT_ANCHORS',
  mailFrom: 'OPENEKS_MAIL_FROM',
  redisUrl: 'OPENEKS_REDIS_URL',
  mqttUrl: 'OPENEKS_MQTT_URL',
  logLevel: 'OPENEKS_LOG_LEVEL',
  logFormat: 'OPENEKS_LOG_FORMAT',
  trustProxy: 'OPENEKS_TRUST_PROXY',
} as const;

/**
 * The gateway's secrets (docs/gateway.md "Configuration"): read by loadGatewayConfig beside
 * gateway.yaml, never by the core's loadSettings; each wins over the file the YAML names.
 */
export const gatewayEnvVar = {
  token: 'OPENEKS_GATEWAY_TOKEN',
  cacheKey: 'OPENEKS_GATEWAY_CACHE_KEY',
  mqttPassword: 'OPENEKS_MQTT_PASSWORD',
} as const;

/**
 * The DLMS keys of `openeks dlms read|decode` (src/cli/dlms-keys.ts): a key on the command line
 * is visible to every user in `ps`, these are not. `--guek`/`--gak` and `--guek-file`/`--gak-file`
 * win over them.
 */
export const cliEnvVar = {
  dlmsGuek: 'OPENEKS_DLMS_GUEK',
  dlmsGak: 'OPENEKS_DLMS_GAK',
} as const;

export type EnvVarName = (typeof envVar)[keyof typeof envVar];
