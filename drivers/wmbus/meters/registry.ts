import type { DecodedTelegram } from '../decode-telegram.js';
import { WmbusError } from '../errors.js';
import type { DataRecord } from '../records.js';
import type { Fields } from './fields.js';
import { generic } from './generic.js';
import { kamheat } from './kamstrup-heat.js';
import { flowiq2200, multical21 } from './kamstrup-water.js';
import { omnipower } from './omnipower.js';

// Which decoder reads a meter: by the meter address's manufacturer, device type and version (the
// detections of wmbusmeters' drivers), or by the driver name the caller gives; the rest is generic.

export interface MeterReading {
  driver: string;
  fields: Fields;
}

type Decoder = (records: readonly DataRecord[]) => Fields;

const KAMHEAT_MODELS: ReadonlyArray<readonly [version: number, model: string, types: readonly number[]]> = [
  [0x30, 'multical302', [0x04, 0x0c, 0x0d]],
  [0x40, 'multical303', [0x04, 0x0c]],
  [0x19, 'multical402', [0x04]],
  [0x34, 'multical403', [0x04, 0x0a, 0x0b, 0x0c, 0x0d]],
  [0x1c, 'multical602', [0x04]],
  [0x35, 'multical603', [0x04, 0x0c]],
  [0x39, 'multical803', [0x04]],
];

interface Detection {
  driver: string;
  manufacturer: string;
  type: number;
  version: number;
}

const DETECTIONS: readonly Detection[] = [
  { driver: 'multical21', manufacturer: 'KAM', type: 0x06, version: 0x1b },
  { driver: 'multical21', manufacturer: 'KAM', type: 0x16, version: 0x1b },
  { driver: 'flowiq2200', manufacturer: 'KAW', type: 0x16, version: 0x3a },
  { driver: 'flowiq2200', manufacturer: 'KAW', type: 0x16, version: 0x3c },
  { driver: 'flowiq3100', manufacturer: 'KAM', type: 0x16, version: 0x1d },
  { driver: 'omnipower', manufacturer: 'KAM', type: 0x02, version: 0x30 },
  ...KAMHEAT_MODELS.flatMap(([version, driver, types]) => types.map((type) => ({ driver, manufacturer: 'KAM', type, version }))),
];

const detectionKey = (manufacturer: string, type: number, version: number): string => `${manufacturer}:${type}:${version}`;

/** DETECTIONS by manufacturer, type and version; the first detection of a key wins, as a linear search would pick it. */
const DETECTED: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const d of DETECTIONS) {
    const k = detectionKey(d.manufacturer, d.type, d.version);
    if (!m.has(k)) m.set(k, d.driver);
  }
  return m;
})();

const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['multical21', multical21],
  ['flowiq2200', flowiq2200],
  ['flowiq3100', flowiq2200], // the same driver in wmbusmeters
  ['omnipower', omnipower],
  ['kamheat', kamheat],
  ...KAMHEAT_MODELS.map(([, model]) => [model, kamheat] as const),
  ['generic', generic],
]);

export const METER_DRIVERS: readonly string[] = [...DECODERS.keys()];

/** The driver wmbusmeters would pick for this meter address, or 'generic'. */
export function detectDriver(t: Pick<DecodedTelegram, 'meterAddress'>): string {
  const a = t.meterAddress;
  return DETECTED.get(detectionKey(a.manufacturer, a.deviceType, a.version)) ?? 'generic';
}

/** Decodes a meter's records into wmbusmeters-compatible fields. `driver` overrides detection. */
export function decodeMeter(t: Pick<DecodedTelegram, 'meterAddress'>, records: readonly DataRecord[], opts: { driver?: string } = {}): MeterReading {
  if (opts.driver !== undefined && !DECODERS.has(opts.driver)) {
    throw new WmbusError('bad-field', 0, `no meter driver "${opts.driver}" (known: ${METER_DRIVERS.join(', ')})`);
  }
  const driver = opts.driver ?? detectDriver(t);
  const decode = DECODERS.get(driver) ?? generic;
  return { driver, fields: decode(records) };
}
