import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DLMS_OBJECTS, GatewayConfigError, loadGatewayConfig, meterSelected } from './gateway-config.js';

// gateway.yaml (docs/gateway.md "Configuration"): the committed example loads, and each malformed
// file is refused naming its exact line and key, never echoing a secret.

const token = `oeks_${'A'.repeat(43)}`;
const cacheKey = randomBytes(32);
const env = { OPENEKS_GATEWAY_TOKEN: token, OPENEKS_GATEWAY_CACHE_KEY: cacheKey.toString('base64') };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-gwconfig-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

let n = 0;
async function write(text: string, name = `g${(n += 1)}.yaml`): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

async function refusal(path: string, e: NodeJS.ProcessEnv = env): Promise<GatewayConfigError> {
  const err: unknown = await loadGatewayConfig(path, e).then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!(err instanceof GatewayConfigError)) throw new Error(`expected a GatewayConfigError, got ${String(err)}`);
  return err;
}

const linkOf = (body: string) => `gateway_id: gw-1\nlinks:\n${body}core:\n  url: http://127.0.0.1:8080\n`;
const kmpLink = (extra: string) => linkOf(`  - name: eye\n    protocol: kmp\n    device: /dev/ttyUSB1\n${extra}`);
const iecLink = (extra: string) => linkOf(`  - name: iec\n    protocol: iec62056-21\n    device: /dev/ttyUSB2\n${extra}`);
const dlmsLink = (extra: string) => linkOf(`  - name: han\n    protocol: dlms\n    tcp: tcp://127.0.0.1:4059\n    meter: KAM-71234567\n${extra}`);

const minimal = (core = '  url: http://127.0.0.1:8080\n') => `gateway_id: gw-1\nlinks:\n  - name: s1\n    protocol: wmbus\n    device: /dev/ttyUSB0\n    stick: im871a\ncore:\n${core}`;

describe('config/gateway.yaml', () => {
  it('the committed example loads with every default and value as documented', async () => {
    const example = fileURLToPath(new URL('../../../config/gateway.yaml', import.meta.url));
    const config = await loadGatewayConfig(example, env);
    const folder = fileURLToPath(new URL('../../../config/', import.meta.url));
    expect(config.gatewayId).toBe('keller-1');
    expect(config.links).toEqual([
      { name: 'stick-1', protocol: 'wmbus', target: { kind: 'serial', path: '/dev/ttyUSB0' }, stick: 'im871a', mode: 'c1t1' },
      { name: 'dach', protocol: 'wmbus', target: { kind: 'tcp', host: '192.0.2.10', port: 4001 }, stick: 'rtlwmbus' },
      { name: 'heizung', protocol: 'kmp', target: { kind: 'serial', path: '/dev/ttyUSB1' }, pollSeconds: 900, timeoutMs: 2000 },
      {
        name: 'han', protocol: 'dlms', target: { kind: 'serial', path: '/dev/ttyUSB2' }, modeE: false, client: 16, server: { logical: 1, physical: 17 },
        authentication: 'none', security: 'authenticated-encrypted', pollSeconds: 0, objects: [...DEFAULT_DLMS_OBJECTS], push: true, timeoutMs: 3000,
      },
      {
        name: 'strom', protocol: 'dlms', target: { kind: 'serial', path: '/dev/ttyUSB3' }, modeE: true, client: 16, server: { logical: 1, physical: 17 },
        authentication: 'hls-gmac', security: 'authenticated-encrypted', meter: 'KAM-57012346', pollSeconds: 900, objects: ['1-0:1.8.0.255', '1-0:2.8.0.255', '1-0:1.7.0.255'], push: false, timeoutMs: 3000,
      },
    ]);
    expect(config.core).toEqual({ url: 'https://eks.example', token, syncIntervalSeconds: 30, offlineHours: 72, cachePath: join(folder, 'data/gateway-keys.db'), cacheKey });
    expect(config.mqtt).toEqual({
      url: 'mqtt://127.0.0.1:1883',
      clientId: 'openeks-keller-1',
      topicPrefix: 'meters',
      qos: 1,
      bufferPath: join(folder, 'data/gateway-buffer.db'),
      bufferMaxMessages: 100_000,
      homeAssistant: { enabled: true, discoveryPrefix: 'homeassistant' },
      availabilityTimeoutSeconds: 3600,
    });
    expect(config.meters).toEqual({ include: ['KAM-*'], exclude: ['KAM-00000000'] });
    expect(config.http).toEqual({ enabled: true, host: '127.0.0.1', port: 8091 });
  });

  it('kmp, iec62056-21 and dlms links: their defaults, and every key read', async () => {
    const defaults = await loadGatewayConfig(await write(linkOf(
      '  - name: eye\n    protocol: kmp\n    device: /dev/ttyUSB1\n' +
        '  - name: iec\n    protocol: iec62056-21\n    device: /dev/ttyUSB2\n' +
        '  - name: han\n    protocol: dlms\n    tcp: tcp://127.0.0.1:4059\n    meter: KAM-71234567\n',
    )), env);
    expect(defaults.links).toEqual([
      { name: 'eye', protocol: 'kmp', target: { kind: 'serial', path: '/dev/ttyUSB1' }, pollSeconds: 900, timeoutMs: 2000 },
      { name: 'iec', protocol: 'iec62056-21', target: { kind: 'serial', path: '/dev/ttyUSB2' }, pollSeconds: 900, timeoutMs: 3000 },
      {
        name: 'han', protocol: 'dlms', target: { kind: 'tcp', host: '127.0.0.1', port: 4059 }, modeE: false, client: 16, server: { logical: 1, physical: 17 },
        authentication: 'none', security: 'authenticated-encrypted', meter: 'KAM-71234567', pollSeconds: 900,
        objects: ['1-0:1.8.0.255', '1-0:2.8.0.255', '1-0:1.7.0.255', '1-0:2.7.0.255', '1-0:32.7.0.255', '1-0:31.7.0.255'], push: false, timeoutMs: 3000,
      },
    ]);
    await writeFile(join(dir, 'lls.pw'), '12345678\n', { mode: 0o600 });
    const all = await loadGatewayConfig(await write(linkOf(
      '  - name: eye\n    protocol: kmp\n    tcp: tcp://127.0.0.1:4001\n    poll_seconds: 30\n    registers: [60, "Volume V1", t1_temperature_c, 1004]\n    timeout_ms: 1500\n' +
        '  - name: iec\n    protocol: iec62056-21\n    device: /dev/ttyUSB2\n    poll_seconds: 60\n    baud: 9600\n    address: "12345678"\n' +
        '  - name: eye-e\n    protocol: dlms\n    device: /dev/ttyUSB3\n    mode_e: true\n    client: 1\n    server: 1/16\n    authentication: lls\n    password_file: lls.pw\n    security: none\n    poll_seconds: 60\n' +
        '  - name: han-push\n    protocol: dlms\n    device: /dev/ttyUSB5\n    push: true\n' +
        '  - name: han\n    protocol: dlms\n    device: /dev/ttyUSB4\n    baud: 2400\n    authentication: hls-gmac\n    meter: KAM-71234567\n    poll_seconds: 60\n    objects: [1.8.0, 0-0:1.0.0.255]\n    timeout_ms: 5000\n',
    )), env);
    expect(all.links).toEqual([
      { name: 'eye', protocol: 'kmp', target: { kind: 'tcp', host: '127.0.0.1', port: 4001 }, pollSeconds: 30, registers: [60, 68, 86, 1004], timeoutMs: 1500 },
      { name: 'iec', protocol: 'iec62056-21', target: { kind: 'serial', path: '/dev/ttyUSB2' }, pollSeconds: 60, baud: 9600, address: '12345678', timeoutMs: 3000 },
      {
        name: 'eye-e', protocol: 'dlms', target: { kind: 'serial', path: '/dev/ttyUSB3' }, modeE: true, client: 1, server: { logical: 1, physical: 16 },
        authentication: 'lls', security: 'none', password: Buffer.from('12345678'), pollSeconds: 60, objects: expect.any(Array) as unknown, push: false, timeoutMs: 3000,
      },
      {
        name: 'han-push', protocol: 'dlms', target: { kind: 'serial', path: '/dev/ttyUSB5' }, modeE: false, client: 16, server: { logical: 1, physical: 17 },
        authentication: 'none', security: 'authenticated-encrypted', pollSeconds: 0, objects: expect.any(Array) as unknown, push: true, timeoutMs: 3000,
      },
      {
        name: 'han', protocol: 'dlms', target: { kind: 'serial', path: '/dev/ttyUSB4' }, baud: 2400, modeE: false, client: 16, server: { logical: 1, physical: 17 },
        authentication: 'hls-gmac', security: 'authenticated-encrypted', meter: 'KAM-71234567', pollSeconds: 60, objects: ['1.8.0', '0-0:1.0.0.255'], push: false, timeoutMs: 5000,
      },
    ]);
  });

  it('defaults, secrets from files relative to the YAML, OPENEKS_MQTT_URL over mqtt.url', async () => {
    await writeFile(join(dir, 'token.txt'), `${token}\n`);
    await writeFile(join(dir, 'cache.key'), `${cacheKey.toString('base64')}\n`);
    await writeFile(join(dir, 'mqtt.pw'), 'geheim\n');
    for (const f of ['token.txt', 'cache.key', 'mqtt.pw']) await chmod(join(dir, f), 0o600);
    const path = await write(`${minimal('  url: http://127.0.0.1:8080/\n  token_file: token.txt\n  cache_key_file: cache.key\n  signing_key_file: core.pem\n')}mqtt:\n  url: mqtt://broker:1883\n  username: gw\n  password_file: mqtt.pw\n  ca_file: ca.pem\n`);
    const config = await loadGatewayConfig(path, { OPENEKS_MQTT_URL: 'mqtts://other:8883' });
    expect(config.core).toEqual({ url: 'http://127.0.0.1:8080', token, syncIntervalSeconds: 30, offlineHours: 72, cachePath: join(dir, 'data/gateway-keys.db'), cacheKey, signingKeyPath: join(dir, 'core.pem') });
    expect(config.mqtt).toMatchObject({ url: 'mqtts://other:8883', username: 'gw', password: 'geheim', caPath: join(dir, 'ca.pem'), clientId: 'openeks-gw-1', topicPrefix: 'meters', bufferMaxMessages: 100_000, homeAssistant: { enabled: false, discoveryPrefix: 'homeassistant' } });
    expect(config.meters).toEqual({ include: ['*'], exclude: [] });
    expect(config.http).toEqual({ enabled: true, host: '127.0.0.1', port: 8091 });
  });

  it('a secret file others may read: refused, naming the file and the chmod', async () => {
    const keyFile = join(dir, 'open.key');
    await writeFile(keyFile, cacheKey.toString('base64'), { mode: 0o644 });
    await chmod(keyFile, 0o644);
    const err = await refusal(await write(minimal('  url: http://x\n  cache_key_file: open.key\n')), { OPENEKS_GATEWAY_TOKEN: token });
    expect({ line: err.line, key: err.key }).toEqual({ line: 9, key: 'core.cache_key_file' });
    expect(err.message).toContain(`others may read it (mode 0644): chmod 600 ${keyFile}`);
    expect(err.message).not.toContain(cacheKey.toString('base64'));
  });

  it('no cache key anywhere: refused, saying how to make one', async () => {
    const err = await refusal(await write(minimal()), { OPENEKS_GATEWAY_TOKEN: token });
    expect(err.message).toContain('openssl rand -base64 32 > gateway-cache.key && chmod 600 gateway-cache.key');
    expect(err.key).toBe('core.cache_key_file');
  });

  it('no token anywhere: refused naming core.token_file and the variable', async () => {
    const err = await refusal(await write(minimal()), { OPENEKS_GATEWAY_CACHE_KEY: cacheKey.toString('base64') });
    expect(err.key).toBe('core.token_file');
    expect(err.message).toContain('OPENEKS_GATEWAY_TOKEN');
  });

  it('a cache key of the wrong length: refused without echoing it', async () => {
    const short = randomBytes(16).toString('base64');
    const err = await refusal(await write(minimal()), { OPENEKS_GATEWAY_TOKEN: token, OPENEKS_GATEWAY_CACHE_KEY: short });
    expect(err.message).toContain('not base64 of 32 bytes');
    expect(err.message).not.toContain(short);
  });

  // Each malformed variable carries the canary Xq7canary: named, said what is wrong, never repeated.
  const malformedEnv: { variable: string; value: string; key: string; message: string }[] = [
    { variable: 'OPENEKS_GATEWAY_TOKEN', value: 'Xq7canary-not-a-token', key: 'core.token_file', message: 'the gateway token (from OPENEKS_GATEWAY_TOKEN) is not an openeks API token' },
    { variable: 'OPENEKS_GATEWAY_CACHE_KEY', value: 'Xq7canary', key: 'core.cache_key_file', message: 'the cache key from OPENEKS_GATEWAY_CACHE_KEY is not base64 of 32 bytes' },
    { variable: 'OPENEKS_MQTT_URL', value: 'amqp://Xq7canary', key: 'OPENEKS_MQTT_URL', message: 'must be mqtt://HOST:PORT' },
    { variable: 'OPENEKS_MQTT_URL', value: 'mqtt://user:Xq7canary@broker', key: 'OPENEKS_MQTT_URL', message: 'without credentials' },
  ];

  it.each(malformedEnv)('a malformed $variable: named, the value never echoed', async (c) => {
    const err = await refusal(await write(minimal()), { ...env, [c.variable]: c.value });
    expect(err.key).toBe(c.key);
    expect(err.message).toContain(c.message);
    expect(err.message).not.toContain('Xq7canary');
  });

  it('OPENEKS_MQTT_PASSWORD wins over mqtt.password_file', async () => {
    await writeFile(join(dir, 'pw-file'), 'aus-der-datei', { mode: 0o600 });
    const config = await loadGatewayConfig(await write(`${minimal()}mqtt:\n  username: gw\n  password_file: pw-file\n`), { ...env, OPENEKS_MQTT_PASSWORD: 'aus-der-umgebung' });
    expect(config.mqtt).toMatchObject({ username: 'gw', password: 'aus-der-umgebung' });
  });

  const cases: { name: string; yaml: string; line: number | undefined; key: string; message: string }[] = [
    { name: 'a token in the YAML', yaml: minimal(`  url: http://x\n  token: ${token}\n`), line: 9, key: 'core.token', message: 'a secret never goes into this file' },
    { name: 'a password in the YAML', yaml: `${minimal()}mqtt:\n  username: gw\n  password: geheim\n`, line: 11, key: 'mqtt.password', message: 'mqtt.password_file' },
    { name: 'a cache_key in the YAML', yaml: minimal('  url: http://x\n  cache_key: abc\n'), line: 9, key: 'core.cache_key', message: 'a secret never goes into this file' },
    { name: 'an unknown key with a near name', yaml: minimal('  url: http://x\n  sync_interval_secs: 30\n'), line: 9, key: 'core.sync_interval_secs', message: 'unknown key (did you mean "sync_interval_seconds"?)' },
    { name: 'an unknown top-level key', yaml: `${minimal()}mqqt:\n  url: mqtt://x\n`, line: 9, key: 'mqqt', message: 'did you mean "mqtt"?' },
    { name: 'a sync interval above 55 s', yaml: minimal('  url: http://x\n  sync_interval_seconds: 90\n'), line: 9, key: 'core.sync_interval_seconds', message: 'from 5 to 55, not 90' },
    { name: 'a gateway id with upper case', yaml: minimal().replace('gw-1', 'Keller 1'), line: 1, key: 'gateway_id', message: 'not "Keller 1"' },
    { name: 'a stick nobody knows', yaml: minimal().replace('im871a', 'im872a'), line: 6, key: 'links[0].stick', message: 'did you mean "im871a"?' },
    { name: 'a wmbus key on a kmp link', yaml: minimal().replace('protocol: wmbus', 'protocol: kmp'), line: 6, key: 'links[0].stick', message: 'unknown key' },
    { name: 'a kmp poll below 10 s', yaml: kmpLink('    poll_seconds: 5\n'), line: 6, key: 'links[0].poll_seconds', message: 'from 10 to 604800, not 5' },
    { name: 'a kmp register nobody knows', yaml: kmpLink('    registers: [60, total_volume_m4]\n'), line: 6, key: 'links[0].registers[1]', message: 'did you mean "total_volume_m3"?' },
    { name: 'a kmp field two registers share', yaml: kmpLink('    registers: [total_energy_consumption_kwh]\n'), line: 6, key: 'links[0].registers[0]', message: 'the field of registers 1 and 60' },
    { name: 'a kmp register id out of range', yaml: kmpLink('    registers:\n      - 70000\n'), line: 7, key: 'links[0].registers[0]', message: 'from 1 to 65535 or a register name, not 70000' },
    { name: 'an empty kmp register list', yaml: kmpLink('    registers: []\n'), line: 6, key: 'links[0].registers', message: 'is empty' },
    { name: 'an iec speed mode C does not have', yaml: iecLink('    baud: 1000\n'), line: 6, key: 'links[0].baud', message: 'one of 300, 600, 1200, 2400, 4800, 9600, 19200' },
    { name: 'an iec address with a bang', yaml: iecLink('    address: "12!"\n'), line: 6, key: 'links[0].address', message: 'the device address of the sign-on' },
    { name: 'a dlms server that is no pair', yaml: dlmsLink('    server: 17\n'), line: 7, key: 'links[0].server', message: 'must be text (LOGICAL/PHYSICAL like 1/17)' },
    { name: 'a dlms server address too large', yaml: dlmsLink('    server: 1/20000\n'), line: 7, key: 'links[0].server', message: 'each from 1 to 16383' },
    { name: 'a dlms poll with keys and no meter', yaml: dlmsLink('').replace('    meter: KAM-71234567\n', ''), line: 3, key: 'links[0].meter', message: 'is required to poll with keys' },
    { name: 'a dlms authentication nobody knows', yaml: dlmsLink('    authentication: hls-md5\n'), line: 7, key: 'links[0].authentication', message: 'one of none, lls, hls-gmac' },
    { name: 'lls without a password file', yaml: dlmsLink('    authentication: lls\n'), line: 3, key: 'links[0].password_file', message: 'is required with authentication: lls' },
    { name: 'an lls password in the YAML', yaml: dlmsLink('    authentication: lls\n    password: "00000000"\n'), line: 8, key: 'links[0].password', message: "a dlms link's LLS password in its password_file" },
    { name: 'hls-gmac without security', yaml: dlmsLink('    authentication: hls-gmac\n    security: none\n'), line: 8, key: 'links[0].security', message: 'must be authenticated-encrypted with authentication: hls-gmac' },
    { name: 'a dlms link that reads nothing', yaml: dlmsLink('    poll_seconds: 0\n'), line: 7, key: 'links[0].poll_seconds', message: 'this link would read nothing' },
    { name: 'a dlms link that pushes and polls', yaml: dlmsLink('    push: true\n    poll_seconds: 60\n'), line: 8, key: 'links[0].poll_seconds', message: 'make two links' },
    { name: 'a push link with an authentication', yaml: dlmsLink('    push: true\n    authentication: hls-gmac\n'), line: 8, key: 'links[0].authentication', message: 'a push link makes no association' },
    { name: 'a dlms poll of 5 s', yaml: dlmsLink('    poll_seconds: 5\n'), line: 7, key: 'links[0].poll_seconds', message: 'must be 0 (no polling) or at least 10, not 5' },
    { name: 'an OBIS code with letters', yaml: dlmsLink('    objects: [1-0:1.8.0.255, C.1.0]\n'), line: 7, key: 'links[0].objects[1]', message: 'an OBIS code like 1-0:1.8.0.255' },
    { name: 'a baud with mode E', yaml: dlmsLink('    mode_e: true\n    baud: 9600\n'), line: 8, key: 'links[0].baud', message: 'negotiated in mode E' },
    { name: 'an unknown protocol', yaml: minimal().replace('protocol: wmbus', 'protocol: mbus'), line: 4, key: 'links[0].protocol', message: 'one of wmbus, kmp, iec62056-21, dlms' },
    { name: 'a device that is a socket', yaml: minimal().replace('device: /dev/ttyUSB0', 'device: tcp://h:1'), line: 5, key: 'links[0].device', message: 'must be a device path' },
    { name: 'a tcp link without port', yaml: minimal().replace('device: /dev/ttyUSB0', 'tcp: tcp://h'), line: 5, key: 'links[0].tcp', message: 'is not tcp://HOST:PORT' },
    { name: 'device and tcp both', yaml: minimal().replace('    stick', '    tcp: tcp://h:1\n    stick'), line: 3, key: 'links[0]', message: 'exactly one of device' },
    { name: 'a mode nobody knows', yaml: minimal().replace('stick: im871a', 'stick: im871a\n    mode: s1'), line: 7, key: 'links[0].mode', message: 'one of c1, t1, c1t1, not "s1"' },
    { name: 'two links of one name', yaml: `${minimal().replace('core:', '  - name: s1\n    protocol: wmbus\n    tcp: tcp://h:1\n    stick: cul\ncore:')}`, line: 7, key: 'links[1].name', message: 'used by an earlier link' },
    { name: 'no links', yaml: 'gateway_id: gw\ncore:\n  url: http://x\n', line: 1, key: 'links', message: 'is required: a list' },
    { name: 'a core url with credentials', yaml: minimal('  url: http://u:Xq7canary@host\n'), line: 8, key: 'core.url', message: 'without credentials' },
    { name: 'an mqtt url with credentials', yaml: `${minimal()}mqtt:\n  url: mqtt://u:Xq7canary@broker\n`, line: 10, key: 'mqtt.url', message: 'without credentials' },
    { name: 'a meter pattern in lower case', yaml: `${minimal()}meters:\n  include:\n    - KAM-*\n    - kam-1\n`, line: 12, key: 'meters.include[1]', message: 'not "kam-1"' },
    { name: 'a port as text', yaml: `${minimal()}http:\n  port: achtzig\n`, line: 10, key: 'http.port', message: 'whole number from 0 to 65535' },
    { name: 'enabled as a word', yaml: `${minimal()}http:\n  enabled: ja\n`, line: 10, key: 'http.enabled', message: 'true or false, not "ja"' },
    { name: 'a token file that does not exist', yaml: minimal('  url: http://x\n  token_file: missing.txt\n'), line: 9, key: 'core.token_file', message: 'cannot be read (ENOENT)' },
    { name: 'a duplicated key', yaml: minimal('  url: http://x\n  url: http://y\n'), line: 9, key: '', message: 'not valid YAML' },
    { name: 'a tab-broken YAML', yaml: 'gateway_id: [\n', line: 2, key: '', message: 'not valid YAML' },
    { name: 'core as a list', yaml: 'gateway_id: gw\nlinks: []\ncore:\n  - url\n', line: 4, key: 'core', message: 'must be a map of keys' },
  ];

  it.each(cases)('$name: line $line, key $key', async (c) => {
    const tokenOnlyFromFile = c.key === 'core.token_file' ? { OPENEKS_GATEWAY_CACHE_KEY: env.OPENEKS_GATEWAY_CACHE_KEY } : env;
    const path = await write(c.yaml);
    const err = await refusal(path, tokenOnlyFromFile);
    expect({ line: err.line, key: err.key }).toEqual({ line: c.line, key: c.key });
    expect(err.message).toContain(c.message);
    expect(err.message.startsWith(`${path.split('/').pop() ?? ''}:${c.line}: `)).toBe(true);
    expect(err.message).not.toContain(token);
    expect(err.message).not.toContain('Xq7canary');
  });
});

describe('meterSelected', () => {
  it('lets through what some include pattern names and no exclude pattern does', () => {
    const meters = { include: ['KAM-*', '*-12345678'], exclude: ['KAM-00000000'] };
    expect(meterSelected(meters, 'KAM-63941885')).toBe(true);
    expect(meterSelected(meters, 'KAM-00000000')).toBe(false);
    expect(meterSelected(meters, 'LSE-12345678')).toBe(true);
    expect(meterSelected(meters, 'LSE-12345679')).toBe(false);
    expect(meterSelected({ include: ['*'], exclude: [] }, 'ABC-00000001')).toBe(true);
    expect(meterSelected({ include: ['KAM-63941885'], exclude: [] }, 'KAM-63941886')).toBe(false);
  });
});
