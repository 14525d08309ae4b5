import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { ReceiveMode, StickName } from '../../../drivers/wmbus-sticks/index.js';
import { envVar, gatewayEnvVar } from '../../lib/env-vars.js';
import { LinkTargetError, parseLinkTarget, type LinkTarget } from '../link/link-target.js';
import { isScalar } from 'yaml';
import { KMP_REGISTERS } from '../../../drivers/kmp/index.js';
import { didYouMean, GatewayConfigError, MapReader, parseYaml, type Located, type YamlSource } from './yaml-reader.js';
import type { MqttOptions } from '../mqtt/mqtt-options.js';

// gateway.yaml (docs/gateway.md "Configuration"): read once at start, every value checked, every
// complaint naming the file, the line and the key. Secrets never come from the YAML: the token, the
// cache key and the MQTT password come from a file named in it or from the environment.

export { GatewayConfigError } from './yaml-reader.js';

/** A wireless M-Bus receiver stick on a serial device or behind a TCP socket. */
export interface WmbusLinkConfig {
  name: string;
  protocol: 'wmbus';
  target: LinkTarget;
  stick: StickName;
  baud?: number;
  mode?: ReceiveMode;
}

/** A Kamstrup meter on an optical eye (KMP, 1200 8N2), polled. */
export interface KmpLinkConfig {
  name: string;
  protocol: 'kmp';
  target: LinkTarget;
  /** Seconds between polls, at least 10. */
  pollSeconds: number;
  /** Register ids to read (names resolved here); undefined: the driver's default heat registers. */
  registers?: number[];
  /** How long one answer may take. */
  timeoutMs: number;
}

/** A meter read out in IEC 62056-21 mode C (sign-on at 300 7E1, readout at `baud`), polled. */
export interface IecLinkConfig {
  name: string;
  protocol: 'iec62056-21';
  target: LinkTarget;
  pollSeconds: number;
  /** The readout speed asked for in the option select; undefined: the speed the meter offers. */
  baud?: number;
  /** The device address sent in the sign-on (`/?ADDRESS!`); undefined: any meter on the line. */
  address?: string;
  timeoutMs: number;
}

export type DlmsAuthentication = 'none' | 'lls' | 'hls-gmac';

/** A DLMS/COSEM meter over HDLC: polled (`pollSeconds` > 0), listened to for pushes (`push`), or both. */
export interface DlmsLinkConfig {
  name: string;
  protocol: 'dlms';
  target: LinkTarget;
  /** IEC 62056-21 sign-on at 300 7E1 first, then HDLC at the negotiated speed (an optical eye). */
  modeE: boolean;
  /** The serial speed of HDLC when not in mode E (default 9600 in the session). */
  baud?: number;
  /** The client's HDLC address (16: the public client, 1: management). */
  client: number;
  /** The server's logical and physical HDLC address (`1/17`: the management logical device behind physical 17). */
  server: { logical: number; physical: number };
  authentication: DlmsAuthentication;
  /** `authenticated-encrypted` (security suite 0 with the meter's GUEK and GAK) or `none`. */
  security: 'none' | 'authenticated-encrypted';
  /** `KAM-12345678`: whose keys (GUEK, GAK) the core grants for this link; required to poll with keys. */
  meter?: string;
  /** The LLS password, from `password_file` (never the YAML). */
  password?: Buffer;
  /** Seconds between polls; 0: no polling. */
  pollSeconds: number;
  /** OBIS codes to GET on each poll. */
  objects: string[];
  /** Listen for DataNotifications on this link (a HAN-like push port). */
  push: boolean;
  timeoutMs: number;
}

/** One link per protocol, told apart by `protocol`. */
export type LinkConfig = WmbusLinkConfig | KmpLinkConfig | IecLinkConfig | DlmsLinkConfig;

export const linkProtocols = ['wmbus', 'kmp', 'iec62056-21', 'dlms'] as const;
/** Polls below this are refused: KMP at 1200 baud needs ~1.5 s for ten registers, and the meter's battery pays for each. */
export const MIN_POLL_SECONDS = 10;
/** A heat meter's registers change slowly: every 15 minutes, as Kamstrup's own readers default to. */
export const DEFAULT_POLL_SECONDS = 900;
/** The OBIS codes a DLMS poll reads when `objects` is not given: energy in and out, power, and the voltages and currents of phase 1. */
export const DEFAULT_DLMS_OBJECTS: readonly string[] = ['1-0:1.8.0.255', '1-0:2.8.0.255', '1-0:1.7.0.255', '1-0:2.7.0.255', '1-0:32.7.0.255', '1-0:31.7.0.255'];
const stickNames: readonly StickName[] = ['im871a', 'iu891a', 'amb8465', 'cul', 'rtlwmbus'];
const receiveModes: readonly ReceiveMode[] = ['c1', 't1', 'c1t1'];

export interface GatewayConfig {
  /** [a-z0-9-_]{1,64}: the gateway's name in MQTT topics. */
  gatewayId: string;
  links: LinkConfig[];
  core: {
    url: string;
    /** From `token_file` or OPENEKS_GATEWAY_TOKEN, never from the YAML. */
    token: string;
    /** At most 55, so that a revocation counts within 60 s. */
    syncIntervalSeconds: number;
    offlineHours: number;
    cachePath: string;
    /** 32 bytes, from `cache_key_file` or OPENEKS_GATEWAY_CACHE_KEY (base64). */
    cacheKey: Buffer;
    /** The core's Ed25519 key (SPKI PEM) pinned by the operator; else fetched on the first sync and pinned in the cache. */
    signingKeyPath?: string;
  };
  /** The publisher's options (src/gateway/mqtt/mqtt-options.ts), QoS fixed at 1. */
  mqtt: MqttOptions & { qos: 1 };
  /** meterKey patterns: `*`, `KAM-*`, `KAM-63941885`, `*-63941885`. */
  meters: { include: string[]; exclude: string[] };
  http: { enabled: boolean; host: string; port: number };
}

const forbiddenKeys: Readonly<Record<string, string>> = {
  token: `name a file in core.token_file or set ${gatewayEnvVar.token}`,
  password: `name a file in mqtt.password_file (or set ${gatewayEnvVar.mqttPassword}), or for a dlms link's LLS password in its password_file`,
  cache_key: `name a file in core.cache_key_file or set ${gatewayEnvVar.cacheKey}`,
};

const cacheKeyHelp = 'make one with `openssl rand -base64 32 > gateway-cache.key && chmod 600 gateway-cache.key` and name it in core.cache_key_file';
const namePattern = /^[a-z0-9_-]{1,64}$/;
const meterPattern = /^(\*|[A-Z]{3}-\*|[A-Z]{3}-\d{8}|\*-\d{8})$/;
/** Topic levels of A-Z, a-z, 0-9, - and _ joined by single slashes (no wildcard, no empty level). */
const topicPattern = { test: (s: string) => /^[A-Za-z0-9_/-]+$/.test(s) && s.split('/').every((level) => level !== '') };
/** A URL of one of the schemes, with a host and without user or password (credentials come from files). */
const urlOf = (schemes: readonly string[]) => ({
  test(s: string): boolean {
    if (/\s/.test(s)) return false;
    try {
      const u = new URL(s);
      return schemes.includes(u.protocol) && u.hostname !== '' && u.username === '' && u.password === '' && u.search === '' && u.hash === '';
    } catch {
      return false;
    }
  },
});

/** Whether `meters` lets a meter through: some include pattern matches and no exclude pattern does. */
export function meterSelected(meters: GatewayConfig['meters'], meterKey: string): boolean {
  const matches = (pattern: string) => {
    if (pattern === '*') return true;
    const [mfr = '', id = ''] = pattern.split('-');
    const [keyMfr = '', keyId = ''] = meterKey.split('-');
    return (mfr === '*' || mfr === keyMfr) && (id === '*' || id === keyId);
  };
  return meters.include.some(matches) && !meters.exclude.some(matches);
}

export async function loadGatewayConfig(path: string, env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
  const file = basename(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new GatewayConfigError(path, '', undefined, `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const src = parseYaml(file, text, forbiddenKeys);
  const top = new MapReader(src, src.root, ['gateway_id', 'links', 'core', 'mqtt', 'meters', 'http']);
  if (src.root.node === null) src.fail(src.root, 'the file is empty: it needs at least gateway_id, links and core');
  const gatewayId = top.string('gateway_id', { pattern: namePattern, describe: '1 to 64 of a-z, 0-9, - and _' });
  const folder = dirname(resolve(path));
  const links: LinkConfig[] = [];
  for (const item of top.list('links', { max: 64, required: true })) {
    const { link, nameAt } = await readLink(src, item, folder);
    if (links.some((l) => l.name === link.name)) src.fail(nameAt, `"${link.name}" is used by an earlier link already`);
    links.push(link);
  }
  const core = await readCore(src, top.map('core', ['url', 'token_file', 'sync_interval_seconds', 'offline_hours', 'cache_path', 'cache_key_file', 'signing_key_file']), folder, env);
  const mqtt = await readMqtt(src, top.map('mqtt', ['url', 'username', 'password_file', 'ca_file', 'client_id', 'topic_prefix', 'buffer_path', 'buffer_max_messages', 'home_assistant', 'availability_timeout_seconds']), folder, env, gatewayId);
  const metersMap = top.map('meters', ['include', 'exclude']);
  const describe = 'a meter pattern like "*", "KAM-*" or "KAM-63941885"';
  const meters = {
    include: metersMap.strings('include', { max: 10_000, pattern: meterPattern, describe, default: ['*'] }),
    exclude: metersMap.strings('exclude', { max: 10_000, pattern: meterPattern, describe, default: [] }),
  };
  const httpMap = top.map('http', ['enabled', 'host', 'port']);
  const http = {
    enabled: httpMap.boolean('enabled', true),
    host: httpMap.string('host', { default: '127.0.0.1', pattern: /^[A-Za-z0-9.:-]{1,253}$/, describe: 'a host name or address' }),
    port: httpMap.integer('port', { min: 0, max: 65535, default: 8091 }),
  };
  return { gatewayId, links, core, mqtt, meters, http };
}

/** The keys each protocol's link may hold: any other is refused with "did you mean". */
const linkKeys: Readonly<Record<(typeof linkProtocols)[number], readonly string[]>> = {
  wmbus: ['name', 'protocol', 'device', 'tcp', 'stick', 'baud', 'mode'],
  kmp: ['name', 'protocol', 'device', 'tcp', 'poll_seconds', 'registers', 'timeout_ms'],
  'iec62056-21': ['name', 'protocol', 'device', 'tcp', 'poll_seconds', 'baud', 'address', 'timeout_ms'],
  dlms: ['name', 'protocol', 'device', 'tcp', 'mode_e', 'baud', 'client', 'server', 'authentication', 'security', 'meter', 'password_file', 'poll_seconds', 'objects', 'push', 'timeout_ms'],
};

/** The protocol of a link, read before its other keys so that those are checked against the protocol's own list. */
function protocolOf(src: YamlSource, at: Located): (typeof linkProtocols)[number] {
  const all = [...new Set(Object.values(linkKeys).flat())];
  return new MapReader(src, at, all).oneOf('protocol', linkProtocols);
}

async function readLink(src: YamlSource, at: Located, folder: string): Promise<{ link: LinkConfig; nameAt: Located }> {
  if (at.node === null) src.fail(at, 'an empty link: give name, protocol, device or tcp, and stick');
  const protocol = protocolOf(src, at);
  const link = new MapReader(src, at, linkKeys[protocol]);
  const name = link.string('name', { pattern: /^[a-z0-9_-]{1,32}$/, describe: '1 to 32 of a-z, 0-9, - and _' });
  link.get('protocol');
  if (link.has('device') === link.has('tcp')) src.fail(at, 'give exactly one of device (a serial device path) and tcp (tcp://HOST:PORT)');
  const where = link.has('device') ? link.get('device') : link.get('tcp');
  const text = link.has('device') ? link.string('device') : link.string('tcp');
  let target: LinkTarget;
  try {
    target = parseLinkTarget(text);
  } catch (err) {
    if (!(err instanceof LinkTargetError)) throw err;
    return src.fail(where, err.message);
  }
  if ((target.kind === 'tcp') !== link.has('tcp')) src.fail(where, link.has('tcp') ? 'must be tcp://HOST:PORT' : 'must be a device path like /dev/ttyUSB0; a socket goes under tcp');
  const nameAt = link.get('name');
  if (protocol === 'kmp') return { link: readKmpLink(link, name, target), nameAt };
  if (protocol === 'iec62056-21') return { link: readIecLink(link, name, target), nameAt };
  if (protocol === 'dlms') return { link: await readDlmsLink(src, link, name, target, folder), nameAt };
  const out: WmbusLinkConfig = { name, protocol: 'wmbus', target, stick: link.oneOf('stick', stickNames) };
  if (link.has('baud')) out.baud = link.integer('baud', { min: 300, max: 4_000_000 });
  if (link.has('mode')) out.mode = link.oneOf('mode', receiveModes);
  return { link: out, nameAt };
}

const pollSeconds = (link: MapReader, o: { allowZero: boolean; default: number }): number => {
  const seconds = link.integer('poll_seconds', { min: o.allowZero ? 0 : MIN_POLL_SECONDS, max: 7 * 24 * 3600, default: o.default });
  if (seconds !== 0 && seconds < MIN_POLL_SECONDS) link.fail(link.get('poll_seconds'), `must be 0 (no polling) or at least ${MIN_POLL_SECONDS}, not ${seconds}`);
  return seconds;
};
const timeoutMs = (link: MapReader, fallback: number): number => link.integer('timeout_ms', { min: 100, max: 60_000, default: fallback });

function readKmpLink(link: MapReader, name: string, target: LinkTarget): KmpLinkConfig {
  const out: KmpLinkConfig = { name, protocol: 'kmp', target, pollSeconds: pollSeconds(link, { allowZero: false, default: DEFAULT_POLL_SECONDS }), timeoutMs: timeoutMs(link, 2000) };
  if (link.has('registers')) {
    const items = link.list('registers', { max: 64 });
    if (items.length === 0) link.fail(link.get('registers'), 'is empty: leave it out for the default registers, or name at least one');
    out.registers = items.map((item) => kmpRegisterOf(link, item));
  }
  return out;
}

/** A register id (1–65535), a register's name from drivers/kmp's table (`Heat energy E1`), or its field when only one register has it (`total_volume_m3`). */
function kmpRegisterOf(link: MapReader, item: Located): number {
  const value = isScalar(item.node) ? item.node.value : undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 0xffff) return value;
  if (typeof value === 'string') {
    const rids = kmpRegisterNames().get(value.toLowerCase()) ?? [];
    if (rids.length === 1 && rids[0] !== undefined) return rids[0];
    if (rids.length > 1) return link.fail(item, `"${value}" is the field of registers ${rids.join(' and ')}: give the register's id`);
    const names = [...KMP_REGISTERS.values()].map((r) => r.field);
    return link.fail(item, `is no KMP register: give its id (1 to 65535), its name or its field${didYouMean(value, names).replace(/ \(known keys: .*\)$/, '')}`);
  }
  return link.fail(item, `must be a register id from 1 to 65535 or a register name, not ${JSON.stringify(value ?? null)}`);
}

/** KMP register names and fields (lower case) → the ids that have them. */
function kmpRegisterNames(): Map<string, number[]> {
  const names = new Map<string, number[]>();
  const add = (name: string, rid: number) => {
    const ids = names.get(name) ?? [];
    if (!ids.includes(rid)) ids.push(rid);
    names.set(name, ids);
  };
  for (const [rid, r] of KMP_REGISTERS) {
    add(r.name.toLowerCase(), rid);
    add(r.field.toLowerCase(), rid);
  }
  return names;
}

function readIecLink(link: MapReader, name: string, target: LinkTarget): IecLinkConfig {
  const out: IecLinkConfig = { name, protocol: 'iec62056-21', target, pollSeconds: pollSeconds(link, { allowZero: false, default: DEFAULT_POLL_SECONDS }), timeoutMs: timeoutMs(link, 3000) };
  if (link.has('baud')) {
    const baud = link.integer('baud', { min: 300, max: 19_200 });
    if (!iecBauds.includes(baud)) link.fail(link.get('baud'), `must be one of ${iecBauds.join(', ')} (the speeds of IEC 62056-21 mode C), not ${baud}`);
    out.baud = baud;
  }
  const address = link.optionalString('address', { pattern: /^[A-Za-z0-9 ]{1,32}$/, describe: '1 to 32 of A-Z, a-z, 0-9 and space (the device address of the sign-on)' });
  if (address !== undefined) out.address = address;
  return out;
}

const iecBauds: readonly number[] = [300, 600, 1200, 2400, 4800, 9600, 19_200];
/** `1-0:1.8.0.255`, `1-0:1.8.0` or `1.8.0` (drivers/dlms parseObis reads each). */
const obisPattern = { test: (s: string) => [/^\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/, /^\d{1,3}-\d{1,3}:\d{1,3}\.\d{1,3}\.\d{1,3}$/, /^\d{1,3}\.\d{1,3}\.\d{1,3}$/].some((p) => p.test(s)) };
const dlmsMeterPattern = /^[A-Z]{3}-\d{1,10}$/;

async function readDlmsLink(src: YamlSource, link: MapReader, name: string, target: LinkTarget, folder: string): Promise<DlmsLinkConfig> {
  const serverText = link.string('server', { default: '1/17', pattern: /^\d{1,5}\/\d{1,5}$/, describe: 'LOGICAL/PHYSICAL like 1/17' });
  const [logical = 0, physical = 0] = serverText.split('/').map(Number);
  if (logical < 1 || logical > 0x3fff || physical < 1 || physical > 0x3fff) link.fail(link.get('server'), `must be LOGICAL/PHYSICAL, each from 1 to 16383, not "${serverText}"`);
  const out: DlmsLinkConfig = {
    name,
    protocol: 'dlms',
    target,
    modeE: link.boolean('mode_e', false),
    client: link.integer('client', { min: 1, max: 127, default: 16 }),
    server: { logical, physical },
    authentication: link.oneOf('authentication', ['none', 'lls', 'hls-gmac'] as const, 'none'),
    security: link.oneOf('security', ['none', 'authenticated-encrypted'] as const, 'authenticated-encrypted'),
    pollSeconds: 0,
    objects: link.strings('objects', { max: 64, pattern: obisPattern, describe: "an OBIS code like 1-0:1.8.0.255 or 1.8.0", default: [...DEFAULT_DLMS_OBJECTS] }),
    push: link.boolean('push', false),
    timeoutMs: timeoutMs(link, 3000),
  };
  // A port is either listened to (a HAN port pushing) or asked (an optical eye, a serial port): both
  // would open one device twice. A push link does not poll unless told, and then is refused.
  out.pollSeconds = pollSeconds(link, { allowZero: true, default: out.push ? 0 : DEFAULT_POLL_SECONDS });
  if (out.push && out.pollSeconds > 0) link.fail(link.get('poll_seconds'), 'is for a link that is asked; this one listens (push: true): make two links, one for the push port and one to poll');
  if (link.has('baud')) out.baud = link.integer('baud', { min: 300, max: 115_200 });
  const meter = link.optionalString('meter', { pattern: dlmsMeterPattern, describe: 'the meter whose keys to use, like KAM-12345678' });
  if (meter !== undefined) out.meter = meter;
  const fromFile = await secretFile(src, link, 'password_file', folder);
  if (fromFile !== undefined) out.password = Buffer.from(fromFile.value, 'utf8');
  if (out.authentication === 'lls' && out.password === undefined) link.fail(link.get('password_file'), 'is required with authentication: lls (a file holding the meter\'s password, mode 0600)');
  if (out.authentication !== 'lls' && out.password !== undefined) link.fail(link.get('password_file'), 'is only used with authentication: lls');
  const needsKeys = out.security !== 'none' || out.authentication === 'hls-gmac';
  if (out.authentication === 'hls-gmac' && out.security === 'none') link.fail(link.get('security'), 'must be authenticated-encrypted with authentication: hls-gmac (HLS-GMAC needs the meter\'s keys)');
  if (out.pollSeconds > 0 && needsKeys && out.meter === undefined) link.fail(link.get('meter'), 'is required to poll with keys: the meter (KAM-12345678) whose GUEK and GAK the core grants');
  if (out.pollSeconds === 0 && !out.push) link.fail(link.get('poll_seconds'), 'is 0 and push is false: this link would read nothing');
  if (out.push && out.authentication !== 'none') link.fail(link.get('authentication'), 'is for polling: a push link makes no association (its pushes are verified by their GCM tag)');
  if (out.push && out.modeE) link.fail(link.get('mode_e'), 'is for an optical eye that is asked: a push port is listened to without a sign-on');
  if (out.modeE && out.baud !== undefined) link.fail(link.get('baud'), 'is negotiated in mode E (mode_e: true): leave it out');
  return out;
}

/** A secret's file: readable by its owner only (SEC-39), its content without surrounding white space. */
async function readSecretFile(src: YamlSource, at: Located, path: string): Promise<string> {
  let mode: number;
  let text: string;
  try {
    mode = (await stat(path)).mode;
    text = await readFile(path, 'utf8');
  } catch (err) {
    return src.fail(at, `the file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if ((mode & 0o077) !== 0) src.fail(at, `the file ${path} holds a secret but others may read it (mode ${(mode & 0o777).toString(8).padStart(4, '0')}): chmod 600 ${path}`);
  return text.trim();
}

/** The secret in the file a key names (relative to the YAML's folder), or undefined when the key is absent. */
async function secretFile(src: YamlSource, map: MapReader, fileKey: string, folder: string): Promise<{ value: string; from: string } | undefined> {
  const file = map.optionalString(fileKey);
  if (file === undefined) return undefined;
  const path = resolve(folder, file);
  return { value: await readSecretFile(src, map.get(fileKey), path), from: `the file ${path}` };
}

async function readCore(src: YamlSource, core: MapReader, folder: string, env: NodeJS.ProcessEnv): Promise<GatewayConfig['core']> {
  if (core.at.node === null) src.fail(core.at, 'is required: the core url and where the token and the cache key come from');
  const url = core.string('url', { pattern: urlOf(['http:', 'https:']), quote: false, describe: 'http(s)://HOST[:PORT][/PATH] without credentials' });
  const envToken = env[gatewayEnvVar.token];
  let token: string;
  if (envToken !== undefined && envToken !== '') token = envToken.trim();
  else {
    const fromFile = await secretFile(src, core, 'token_file', folder);
    if (fromFile === undefined) return src.fail(core.get('token_file'), `no gateway token: name a file holding it here, or set ${gatewayEnvVar.token}`);
    token = fromFile.value;
  }
  if (!/^oeks_[A-Za-z0-9_-]{43}$/.test(token)) src.fail(core.get('token_file'), `the gateway token (from ${envToken ? gatewayEnvVar.token : 'token_file'}) is not an openeks API token (oeks_ and 43 characters)`);

  const envKey = env[gatewayEnvVar.cacheKey];
  let keyText: string;
  let keyFrom: string;
  if (envKey !== undefined && envKey !== '') {
    keyText = envKey.trim();
    keyFrom = gatewayEnvVar.cacheKey;
  } else {
    const fromFile = await secretFile(src, core, 'cache_key_file', folder);
    if (fromFile === undefined) return src.fail(core.get('cache_key_file'), `no cache key: ${cacheKeyHelp}, or set ${gatewayEnvVar.cacheKey}`);
    keyText = fromFile.value;
    keyFrom = fromFile.from;
  }
  const cacheKey = Buffer.from(keyText, 'base64');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(keyText) || cacheKey.length !== 32) {
    src.fail(core.get('cache_key_file'), `the cache key from ${keyFrom} is not base64 of 32 bytes: ${cacheKeyHelp}`);
  }
  const out: GatewayConfig['core'] = {
    url: url.replace(/\/+$/, ''),
    token,
    syncIntervalSeconds: core.integer('sync_interval_seconds', { min: 5, max: 55, default: 30 }),
    offlineHours: core.integer('offline_hours', { min: 1, max: 24 * 90, default: 72 }),
    cachePath: resolve(folder, core.string('cache_path', { default: 'data/gateway-keys.db' })),
    cacheKey,
  };
  const signing = core.optionalString('signing_key_file');
  if (signing !== undefined) out.signingKeyPath = resolve(folder, signing);
  return out;
}

async function readMqtt(src: YamlSource, mqtt: MapReader, folder: string, env: NodeJS.ProcessEnv, gatewayId: string): Promise<GatewayConfig['mqtt']> {
  const urlPattern = urlOf(['mqtt:', 'mqtts:', 'ws:', 'wss:']);
  const describe = 'mqtt://HOST:PORT (or mqtts://, ws://, wss://) without credentials: use username and password_file';
  const envUrl = env[envVar.mqttUrl];
  let url: string;
  if (envUrl !== undefined && envUrl !== '') {
    if (!urlPattern.test(envUrl)) src.fail({ key: envVar.mqttUrl, line: undefined }, `must be ${describe}`);
    url = envUrl;
    mqtt.optionalString('url');
  } else url = mqtt.string('url', { pattern: urlPattern, describe, default: 'mqtt://127.0.0.1:1883', quote: false });
  const out: GatewayConfig['mqtt'] = {
    url,
    clientId: mqtt.string('client_id', { pattern: /^[A-Za-z0-9_-]{1,64}$/, describe: '1 to 64 of A-Z, a-z, 0-9, - and _', default: `openeks-${gatewayId}` }),
    topicPrefix: mqtt.string('topic_prefix', { pattern: topicPattern, describe: 'topic levels of A-Z, a-z, 0-9, - and _ joined by /', default: 'meters', max: 128 }),
    qos: 1,
    bufferPath: resolve(folder, mqtt.string('buffer_path', { default: 'data/gateway-buffer.db' })),
    bufferMaxMessages: mqtt.integer('buffer_max_messages', { min: 100, max: 10_000_000, default: 100_000 }),
    homeAssistant: { enabled: false, discoveryPrefix: 'homeassistant' },
    availabilityTimeoutSeconds: mqtt.integer('availability_timeout_seconds', { min: 60, max: 7 * 24 * 3600, default: 3600 }),
  };
  const ha = mqtt.map('home_assistant', ['enabled', 'discovery_prefix']);
  out.homeAssistant = { enabled: ha.boolean('enabled', false), discoveryPrefix: ha.string('discovery_prefix', { pattern: topicPattern, describe: 'topic levels joined by /', default: 'homeassistant', max: 128 }) };
  const username = mqtt.optionalString('username', { max: 256 });
  if (username !== undefined) out.username = username;
  const envPassword = env[gatewayEnvVar.mqttPassword];
  if (envPassword !== undefined && envPassword !== '') out.password = envPassword;
  else {
    const fromFile = await secretFile(src, mqtt, 'password_file', folder);
    if (fromFile !== undefined) out.password = fromFile.value;
  }
  if (out.password !== undefined && out.username === undefined) src.fail(mqtt.get('username'), 'is required when a password is given');
  const ca = mqtt.optionalString('ca_file');
  if (ca !== undefined) out.caPath = resolve(folder, ca);
  return out;
}
