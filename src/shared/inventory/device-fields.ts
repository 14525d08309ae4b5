// The vocabulary of the inventory (docs/product.md "Devices and keys"): kinds, media, key types and
// states, and the shape rules every writer (import, demo seed, API) checks the same way.

export const deviceKinds = ['meter', 'concentrator'] as const;
export type DeviceKind = (typeof deviceKinds)[number];

export const media = ['heat', 'cooling', 'water-cold', 'water-warm', 'electricity', 'gas', 'other'] as const;
export type Medium = (typeof media)[number];

export const keyTypes = ['DEK', 'GPK1', 'GPK2', 'GPK3', 'GPK4', 'GUEK', 'GBEK', 'GAK', 'KEK', 'OPTICAL'] as const;
export type KeyType = (typeof keyTypes)[number];

/** NIST SP 800-57 key states (SEC-09); the legal transitions are in key-states.ts. */
export const keyStates = ['pre-activation', 'active', 'suspended', 'deactivated', 'compromised', 'destroyed'] as const;
export type KeyState = (typeof keyStates)[number];

/** Byte lengths a device key may have (AES-128 or AES-256). */
export const keyLengths = [16, 32] as const;

export const isDeviceKind = (v: string): v is DeviceKind => (deviceKinds as readonly string[]).includes(v);
export const isMedium = (v: string): v is Medium => (media as readonly string[]).includes(v);
export const isKeyType = (v: string): v is KeyType => (keyTypes as readonly string[]).includes(v);
export const isKeyState = (v: string): v is KeyState => (keyStates as readonly string[]).includes(v);

/** The 3-letter M-Bus manufacturer code (EN 13757-3: letters A–Z), upper case. */
export const MANUFACTURER = /^[A-Z]{3}$/;
/** Meters: the 8-digit wireless M-Bus identification number (BCD, so digits only). */
export const METER_SERIAL = /^\d{8}$/;
/** Other devices: up to 32 letters, digits and `. _ - /`, starting with a letter or digit. */
export const OTHER_SERIAL = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$/;
/** Free-text fields (model, numbers, order, delivery note): at most this many characters. */
export const MAX_TEXT = 64;
export const DELIVERY_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Why a serial is not acceptable for this kind of device (an import problem code, docs/inventory.md), or undefined when it is. */
export function serialProblem(kind: DeviceKind, serial: string): 'meter_serial_format' | 'serial_format' | undefined {
  if (kind === 'meter') return METER_SERIAL.test(serial) ? undefined : 'meter_serial_format';
  return OTHER_SERIAL.test(serial) ? undefined : 'serial_format';
}

/** Why a key in hex is not acceptable (an import problem code, with the length it had), or undefined; never repeats the key. */
export function keyHexProblem(hex: string): { code: 'key_hex' } | { code: 'key_length'; length: number } | undefined {
  if (!/^[0-9A-Fa-f]*$/.test(hex)) return { code: 'key_hex' };
  if (hex.length !== 32 && hex.length !== 64) return { code: 'key_length', length: hex.length };
  return undefined;
}

/** Why a delivery date is not acceptable (YYYY-MM-DD, a real day), or undefined. */
export function deliveryDateProblem(date: string): string | undefined {
  if (!DELIVERY_DATE.test(date)) return 'a date is YYYY-MM-DD';
  const d = new Date(`${date}T00:00:00Z`);
  return d.toISOString().startsWith(date) ? undefined : 'no such day';
}

// wmbusmeters driver names by model (its users' configurations keep working, docs/product.md).
const driverByModel: ReadonlyMap<string, string> = new Map([
  ['multical21', 'multical21'],
  ['flowiq2200', 'flowiq2200'],
  ['flowiq3100', 'flowiq3100'],
  ['multical302', 'multical302'],
  ['multical303', 'multical303'],
  ['multical403', 'multical403'],
  ['multical603', 'multical603'],
  ['multical803', 'multical803'],
  ['omnipower', 'omnipower'],
]);

/** `MULTICAL 21` → `multical21`; undefined where wmbusmeters has no driver of that name. */
export function driverHintFor(model: string | null | undefined): string | undefined {
  if (!model) return undefined;
  return driverByModel.get(model.toLowerCase().replace(/[^a-z0-9]/g, ''));
}
