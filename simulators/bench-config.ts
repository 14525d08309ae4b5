import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { stickCodecs, type StickName } from '../drivers/wmbus-sticks/index.js';
import { BenchConfigError, isObj, onlyKeys } from './bench-config-checks.js';
import {
  parseConcentrator,
  parseDlmsMeters,
  parseKmpMeters,
  type ConcentratorConfig,
  type DlmsMeterConfig,
  type KmpMeterConfig,
} from './bench-config-protocols.js';
import { METER_KINDS, type MeterConfig, type MeterKind } from './meters/meter-types.js';

export { BenchConfigError };

// config/bench.yaml: the stick, how it is reached, and its meters; beside them the KMP and DLMS
// meters and the concentrator (bench-config-protocols.ts). Every field is checked; an unknown field
// is an error rather than silently ignored.

export interface BenchConfig {
  seed: number;
  stick: StickName;
  link: { kind: 'pty' } | { kind: 'tcp'; port: number };
  meters: MeterConfig[];
  /** MULTICAL 603 meters answering KMP on their own pseudo-terminal (the parser always fills it). */
  kmp?: KmpMeterConfig[];
  /** OMNIPOWER-like meters: an optical port and, with pushSeconds, a HAN port. */
  dlms?: DlmsMeterConfig[];
  concentrator?: ConcentratorConfig;
}

function meter(v: unknown, i: number): MeterConfig {
  const where = `meters[${i}]`;
  if (!isObj(v)) throw new BenchConfigError(`${where}: must be a mapping`);
  onlyKeys(v, ['kind', 'id', 'key', 'intervalSeconds', 'corruptShare', 'manufacturer'], where);
  const { kind, id, key, intervalSeconds, corruptShare, manufacturer } = v;
  if (typeof kind !== 'string' || !(METER_KINDS as readonly string[]).includes(kind)) {
    throw new BenchConfigError(`${where}.kind: one of ${METER_KINDS.join(', ')}`);
  }
  if (typeof id !== 'string' || !/^\d{8}$/.test(id)) throw new BenchConfigError(`${where}.id: 8 digits, quoted`);
  if (typeof key !== 'string' || !/^[0-9a-fA-F]{32}$/.test(key)) throw new BenchConfigError(`${where}.key: 32 hex digits`);
  if (typeof intervalSeconds !== 'number' || !(intervalSeconds >= 0.01 && intervalSeconds <= 86_400)) {
    throw new BenchConfigError(`${where}.intervalSeconds: a number from 0.01 to 86400`);
  }
  if (corruptShare !== undefined && (typeof corruptShare !== 'number' || !(corruptShare >= 0 && corruptShare <= 1))) {
    throw new BenchConfigError(`${where}.corruptShare: a number from 0 to 1`);
  }
  if (manufacturer !== undefined && (typeof manufacturer !== 'string' || !/^[A-Z]{3}$/.test(manufacturer))) {
    throw new BenchConfigError(`${where}.manufacturer: three capital letters`);
  }
  return {
    kind: kind as MeterKind,
    id,
    key: key.toUpperCase(),
    intervalSeconds,
    ...(corruptShare !== undefined ? { corruptShare } : {}),
    ...(manufacturer !== undefined ? { manufacturer } : {}),
  };
}

export function parseBenchConfig(text: string): BenchConfig {
  const doc: unknown = parse(text);
  if (!isObj(doc)) throw new BenchConfigError('the bench configuration must be a mapping');
  onlyKeys(doc, ['seed', 'stick', 'link', 'meters', 'kmp', 'dlms', 'concentrator'], 'bench');
  const { seed = 1, stick, link, meters } = doc;
  if (typeof seed !== 'number' || !Number.isInteger(seed)) throw new BenchConfigError('seed: a whole number');
  if (typeof stick !== 'string' || !Object.hasOwn(stickCodecs, stick)) {
    throw new BenchConfigError(`stick: one of ${Object.keys(stickCodecs).join(', ')}`);
  }
  if (!isObj(link)) throw new BenchConfigError('link: a mapping with kind pty or tcp');
  onlyKeys(link, ['kind', 'port'], 'link');
  let parsedLink: BenchConfig['link'];
  if (link.kind === 'pty') parsedLink = { kind: 'pty' };
  else if (link.kind === 'tcp') {
    const port = link.port ?? 0;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new BenchConfigError('link.port: 0 to 65535');
    parsedLink = { kind: 'tcp', port };
  } else throw new BenchConfigError('link.kind: pty or tcp');
  if (!Array.isArray(meters) || meters.length === 0 || meters.length > 10_000) throw new BenchConfigError('meters: a list of 1 to 10000 meters');
  const parsed = meters.map(meter);
  const ids = new Set<string>();
  for (const m of parsed) {
    if (ids.has(m.id)) throw new BenchConfigError(`meters: id "${m.id}" appears twice`);
    ids.add(m.id);
  }
  const kmp = parseKmpMeters(doc.kmp);
  const dlms = parseDlmsMeters(doc.dlms);
  // One serial is one meter across the bench: the core holds a device per manufacturer and serial.
  for (const m of [...kmp, ...dlms]) {
    if (ids.has(m.serial)) throw new BenchConfigError(`serial "${m.serial}" appears twice in the bench`);
    ids.add(m.serial);
  }
  const concentrator = parseConcentrator(doc.concentrator, dlms);
  return { seed, stick: stick as StickName, link: parsedLink, meters: parsed, kmp, dlms, ...(concentrator ? { concentrator } : {}) };
}

export async function loadBenchConfig(path: string): Promise<BenchConfig> {
  return parseBenchConfig(await readFile(path, 'utf8'));
}
