import type { DecodedTelegram } from '../decode-telegram.js';
import { WmbusError } from '../errors.js';
import type { DataRecord } from '../records.js';
import { generic } from './generic.js';
import { kamheat } from './kamstrup-heat.js';
import { isPrintable, type FieldValue, type Fields } from './fields.js';
import { flowiq2200, multical21 } from './kamstrup-water.js';
import { aventieswm, engelmannFaw } from './oms-water.js';
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
  { driver: 'flowiq2200', manufacturer: 'KAM', type: 0x16, version: 0x1d }, // flowIQ 3100: the same driver in wmbusmeters
  { driver: 'omnipower', manufacturer: 'KAM', type: 0x02, version: 0x30 },
  { driver: 'aventieswm', manufacturer: 'AAA', type: 0x07, version: 0x25 },
  { driver: 'engelmann-faw', manufacturer: 'EFE', type: 0x07, version: 0x00 },
  // wmbusmeters names every MULTICAL heat meter `kamheat` (multical302, multical403, … are its aliases).
  ...KAMHEAT_MODELS.flatMap(([version, , types]) => types.map((type) => ({ driver: 'kamheat', manufacturer: 'KAM', type, version }))),
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
  ['flowiq2101', multical21],
  ['omnipower', omnipower],
  ['kamheat', kamheat],
  ['aventieswm', aventieswm],
  ['engelmann-faw', engelmannFaw],
  ...KAMHEAT_MODELS.map(([, model]) => [model, kamheat] as const),
  ['generic', generic],
]);

/** Driver names accepted for another, printed as that one (as wmbusmeters prints "meter":"kamheat"). */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ...KAMHEAT_MODELS.map(([, model]) => [model, 'kamheat'] as const),
  ['flowiq3100', 'flowiq2200'],
  ['flowiq2101', 'multical21'], // flowIQ 2101 sends what a MULTICAL 21 sends (wmbusmeters detects it as multical21)
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
  const driver = ALIASES.get(opts.driver ?? '') ?? opts.driver ?? detectDriver(t);
  const decode = DECODERS.get(driver) ?? generic;
  return { driver, fields: printable(decode(records)) };
}

/** The last guard: no decoder hands out unprintable text; such a value becomes its bytes in hex. */
function printable(fields: Fields): Fields {
  for (const name in fields) {
    const v: FieldValue | undefined = fields[name];
    if (typeof v === 'string' && !isPrintable(v)) fields[name] = Buffer.from(v, 'latin1').toString('hex');
  }
  return fields;
}

// wmbusmeters' `media` texts by device type (its mediaTypeJSON); 0x1D-0x3F not listed are "reserved".
const MEDIA: ReadonlyMap<number, string> = new Map([
  [0x00, 'other'], [0x01, 'oil'], [0x02, 'electricity'], [0x03, 'gas'], [0x04, 'heat'], [0x05, 'steam'],
  [0x06, 'warm water'], [0x07, 'water'], [0x08, 'heat cost allocation'], [0x09, 'compressed air'],
  [0x0a, 'cooling load volume at outlet'], [0x0b, 'cooling load volume at inlet'], [0x0c, 'heat volume at inlet'],
  [0x0d, 'heat/cooling load'], [0x0e, 'bus/system component'], [0x0f, 'unknown'], [0x15, 'hot water'],
  [0x16, 'cold water'], [0x17, 'hot/cold water'], [0x18, 'pressure'], [0x19, 'a/d converter'], [0x1a, 'smoke detector'],
  [0x1b, 'room sensor'], [0x1c, 'gas detector'], [0x20, 'breaker'], [0x21, 'valve'],
  [0x25, 'customer unit (display device)'], [0x28, 'waste water'], [0x29, 'garbage'],
  [0x36, 'radio converter (system side)'], [0x37, 'radio converter (meter side)'],
]);

/**
 * The `media` wmbusmeters prints for a meter: the text of the device type of its address (the
 * drivers of the meters here do not override it). `driver` is accepted for drivers that may.
 */
export function mediaOf(driver: string, deviceType: number): string {
  void driver;
  const m = MEDIA.get(deviceType);
  if (m !== undefined) return m;
  return deviceType >= 0x1d && deviceType <= 0x3f ? 'reserved' : 'unknown';
}
