import { BenchConfigError, isObj, keyOf, onlyKeys, optionalSeed, serialOf } from './bench-config-checks.js';

// The bench's pull and push meters beside the wM-Bus ones: MULTICAL 603 on KMP (`kmp:`), the
// OMNIPOWER-like DLMS meter (`dlms:`) and the concentrator that reads the DLMS meters with keys from
// a core (`concentrator:`). Every field checked, unknown fields refused, as for the wM-Bus part.

export interface KmpMeterConfig {
  /** The serial the meter answers to GetSerialNo, 8 digits. */
  serial: string;
  /** The meter's wM-Bus DEK: KMP itself is not encrypted, but the core holds the meter by its key. */
  key: string;
  seed?: number;
}

export const DLMS_AUTHENTICATIONS = ['none', 'lls', 'hls-gmac'] as const;
export type DlmsAuthenticationName = (typeof DLMS_AUTHENTICATIONS)[number];

export interface DlmsMeterConfig {
  /** 8 digits; the system title is `KAM` + the serial as 5 bytes big-endian. */
  serial: string;
  /** Global unicast encryption key (the core's key type GUEK). */
  guek: string;
  /** Authentication key (the core's key type GAK). */
  gak: string;
  /** The association the meter's management client must use. */
  authentication: DlmsAuthenticationName;
  /** The LLS password (authentication lls only). */
  password?: string;
  /** The HAN port pushes a ciphered DataNotification this often; 0 = no HAN port. */
  pushSeconds: number;
  /** The optical port answers an IEC 62056-21 sign-on first (mode E, mode C readout); default true. */
  modeE: boolean;
  seed?: number;
}

export interface ConcentratorConfig {
  /** The core's base URL, e.g. http://127.0.0.1:8080. */
  coreUrl: string;
  /** A file holding the concentrator token (oeks_…): never the token itself in the YAML. */
  tokenFile: string;
  /** Serials of the bench's DLMS meters the concentrator reads (default: all). */
  meters: string[];
  /** How often it asks the core for key changes (the contract: at most 60). */
  syncSeconds: number;
  /** How often it reads its meters. */
  pollSeconds: number;
}

export function parseKmpMeters(v: unknown): KmpMeterConfig[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 100) throw new BenchConfigError('kmp: a list of up to 100 meters');
  return v.map((m: unknown, i) => {
    const where = `kmp[${i}]`;
    if (!isObj(m)) throw new BenchConfigError(`${where}: must be a mapping`);
    onlyKeys(m, ['serial', 'key', 'seed'], where);
    const seed = optionalSeed(m.seed, `${where}.seed`);
    return { serial: serialOf(m.serial, `${where}.serial`), key: keyOf(m.key, `${where}.key`), ...(seed !== undefined ? { seed } : {}) };
  });
}

export function parseDlmsMeters(v: unknown): DlmsMeterConfig[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > 100) throw new BenchConfigError('dlms: a list of up to 100 meters');
  return v.map((m: unknown, i) => {
    const where = `dlms[${i}]`;
    if (!isObj(m)) throw new BenchConfigError(`${where}: must be a mapping`);
    onlyKeys(m, ['serial', 'guek', 'gak', 'authentication', 'password', 'pushSeconds', 'modeE', 'seed'], where);
    const { authentication, password, pushSeconds = 0, modeE = true } = m;
    if (typeof authentication !== 'string' || !(DLMS_AUTHENTICATIONS as readonly string[]).includes(authentication)) {
      throw new BenchConfigError(`${where}.authentication: one of ${DLMS_AUTHENTICATIONS.join(', ')}`);
    }
    const llsPassword = typeof password === 'string' && /^[\x20-\x7e]{1,16}$/.test(password);
    if (authentication === 'lls' && !llsPassword) throw new BenchConfigError(`${where}.password: 1 to 16 printable ASCII characters, for lls`);
    if (authentication !== 'lls' && 'password' in m) throw new BenchConfigError(`${where}.password: only with authentication lls`);
    if (typeof pushSeconds !== 'number' || !(pushSeconds === 0 || (pushSeconds >= 0.01 && pushSeconds <= 86_400))) {
      throw new BenchConfigError(`${where}.pushSeconds: 0 (no HAN port) or a number from 0.01 to 86400`);
    }
    if (typeof modeE !== 'boolean') throw new BenchConfigError(`${where}.modeE: true or false`);
    const seed = optionalSeed(m.seed, `${where}.seed`);
    return {
      serial: serialOf(m.serial, `${where}.serial`),
      guek: keyOf(m.guek, `${where}.guek`),
      gak: keyOf(m.gak, `${where}.gak`),
      authentication: authentication as DlmsAuthenticationName,
      ...(typeof password === 'string' ? { password } : {}),
      pushSeconds,
      modeE,
      ...(seed !== undefined ? { seed } : {}),
    };
  });
}

export function parseConcentrator(v: unknown, dlms: readonly DlmsMeterConfig[]): ConcentratorConfig | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) throw new BenchConfigError('concentrator: a mapping');
  onlyKeys(v, ['coreUrl', 'tokenFile', 'meters', 'syncSeconds', 'pollSeconds'], 'concentrator');
  const { coreUrl, tokenFile, meters, syncSeconds = 60, pollSeconds = 60 } = v;
  if (typeof coreUrl !== 'string' || !/^https?:\/\/[^\s/]+$/.test(coreUrl.replace(/\/$/, ''))) throw new BenchConfigError('concentrator.coreUrl: http(s)://host[:port]');
  if (typeof tokenFile !== 'string' || tokenFile.length === 0) throw new BenchConfigError('concentrator.tokenFile: the path of a file holding the token');
  const all = dlms.map((m) => m.serial);
  let chosen = all;
  if (meters !== undefined) {
    if (!Array.isArray(meters)) throw new BenchConfigError('concentrator.meters: a list of serials of the dlms meters');
    chosen = meters.map((s: unknown, i) => {
      const serial = serialOf(s, `concentrator.meters[${i}]`);
      if (!all.includes(serial)) throw new BenchConfigError(`concentrator.meters[${i}]: "${serial}" is not a dlms meter of this bench`);
      return serial;
    });
  }
  if (chosen.length === 0) throw new BenchConfigError('concentrator: needs at least one dlms meter to read');
  if (typeof syncSeconds !== 'number' || !(syncSeconds >= 0.1 && syncSeconds <= 60)) throw new BenchConfigError('concentrator.syncSeconds: a number from 0.1 to 60 (docs/key-sync.md)');
  if (typeof pollSeconds !== 'number' || !(pollSeconds >= 0.1 && pollSeconds <= 86_400)) throw new BenchConfigError('concentrator.pollSeconds: a number from 0.1 to 86400');
  return { coreUrl: coreUrl.replace(/\/$/, ''), tokenFile, meters: chosen, syncSeconds, pollSeconds };
}
