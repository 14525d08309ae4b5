// EN 13757-3 value information: primary VIF table and the common entries of the 0xFD and 0xFB
// extension tables. `exponent` scales the raw number: value = raw × 10^exponent.

export type ValueType = 'number' | 'date' | 'datetime' | 'identifier' | 'text';

export interface VifInfo {
  quantity: string;
  unit: string;
  exponent: number;
  type: ValueType;
}

const num = (quantity: string, unit: string, exponent: number): VifInfo => ({ quantity, unit, exponent, type: 'number' });
const id = (quantity: string): VifInfo => ({ quantity, unit: '', exponent: 0, type: 'identifier' });
const TIME_UNITS = ['s', 'min', 'h', 'd'] as const;

/** Primary VIF (extension bit removed), or null for 0x7B-0x7F which are handled by the caller. */
export function primaryVif(code: number): VifInfo | null {
  const n = code & 0x07;
  const nn = code & 0x03;
  if (code <= 0x07) return num('energy', 'Wh', n - 3);
  if (code <= 0x0f) return num('energy', 'J', n);
  if (code <= 0x17) return num('volume', 'm3', n - 6);
  if (code <= 0x1f) return num('mass', 'kg', n - 3);
  if (code <= 0x23) return num('on-time', TIME_UNITS[nn] ?? 's', 0);
  if (code <= 0x27) return num('operating-time', TIME_UNITS[nn] ?? 's', 0);
  if (code <= 0x2f) return num('power', 'W', n - 3);
  if (code <= 0x37) return num('power', 'J/h', n);
  if (code <= 0x3f) return num('volume-flow', 'm3/h', n - 6);
  if (code <= 0x47) return num('volume-flow', 'm3/min', n - 7);
  if (code <= 0x4f) return num('volume-flow', 'm3/s', n - 9);
  if (code <= 0x57) return num('mass-flow', 'kg/h', n - 3);
  if (code <= 0x5b) return num('flow-temperature', '°C', nn - 3);
  if (code <= 0x5f) return num('return-temperature', '°C', nn - 3);
  if (code <= 0x63) return num('temperature-difference', 'K', nn - 3);
  if (code <= 0x67) return num('external-temperature', '°C', nn - 3);
  if (code <= 0x6b) return num('pressure', 'bar', nn - 3);
  if (code === 0x6c) return { quantity: 'date', unit: '', exponent: 0, type: 'date' };
  if (code === 0x6d) return { quantity: 'date-time', unit: '', exponent: 0, type: 'datetime' };
  if (code === 0x6e) return num('hca-units', '', 0);
  if (code === 0x6f) return num('reserved', '', 0);
  if (code <= 0x73) return num('averaging-duration', TIME_UNITS[nn] ?? 's', 0);
  if (code <= 0x77) return num('actuality-duration', TIME_UNITS[nn] ?? 's', 0);
  if (code === 0x78) return id('fabrication-number');
  if (code === 0x79) return id('enhanced-identification');
  if (code === 0x7a) return id('bus-address');
  return null;
}

/** First extension table (VIF 0xFD), common entries; others come back as 'fd-xx'. */
export function extensionFd(code: number): VifInfo {
  const nnnn = code & 0x0f;
  if (code <= 0x03) return num('credit', 'currency', (code & 3) - 3);
  if (code <= 0x07) return num('debit', 'currency', (code & 3) - 3);
  if (code >= 0x40 && code <= 0x4f) return num('voltage', 'V', nnnn - 9);
  if (code >= 0x50 && code <= 0x5f) return num('current', 'A', nnnn - 12);
  if (code >= 0x24 && code <= 0x27) return num('storage-interval', TIME_UNITS[code & 3] ?? 's', 0);
  if (code >= 0x2c && code <= 0x2f) return num('duration-since-readout', TIME_UNITS[code & 3] ?? 's', 0);
  const named: Readonly<Record<number, VifInfo>> = {
    0x08: num('access-number', '', 0),
    0x09: num('medium', '', 0),
    0x0a: num('manufacturer', '', 0),
    0x0b: id('parameter-set-id'),
    0x0c: id('model-version'),
    0x0d: id('hardware-version'),
    0x0e: id('firmware-version'),
    0x0f: id('software-version'),
    0x10: id('customer-location'),
    0x11: id('customer'),
    0x16: id('password'),
    0x17: num('error-flags', '', 0),
    0x18: num('error-mask', '', 0),
    0x1a: num('digital-output', '', 0),
    0x1b: num('digital-input', '', 0),
    0x1c: num('baud-rate', 'Bd', 0),
    0x3a: num('dimensionless', '', 0),
    0x60: num('reset-counter', '', 0),
    0x61: num('cumulation-counter', '', 0),
    0x74: num('remaining-battery-life', 'd', 0),
  };
  return named[code] ?? num(`fd-${code.toString(16).padStart(2, '0')}`, '', 0);
}

/** Second extension table (VIF 0xFB), common entries; others come back as 'fb-xx'. */
export function extensionFb(code: number): VifInfo {
  const n = code & 0x01;
  if (code <= 0x01) return num('energy', 'MWh', n - 1);
  if (code >= 0x08 && code <= 0x09) return num('energy', 'GJ', n - 1);
  if (code >= 0x10 && code <= 0x11) return num('volume', 'm3', n + 2);
  if (code >= 0x18 && code <= 0x19) return num('mass', 't', n + 2);
  if (code >= 0x1a && code <= 0x1b) return num('relative-humidity', '%', n - 1);
  if (code >= 0x28 && code <= 0x29) return num('power', 'MW', n - 1);
  if (code >= 0x30 && code <= 0x31) return num('power', 'GJ/h', n - 1);
  return num(`fb-${code.toString(16).padStart(2, '0')}`, '', 0);
}
