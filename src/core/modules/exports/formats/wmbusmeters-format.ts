import { METER_SERIAL } from '../../../../shared/inventory/device-fields.js';
import type { ExportDevice } from '../export-format.js';
import type { ExportZip } from './export-zip.js';
import { keyHex } from './key-text.js';

// wmbusmeters: one meter file per meter, in the format wmbusmeters reads from /etc/wmbusmeters.d
// (its README, "Then add a meter file in /etc/wmbusmeters.d/MyTapWater"): `name=`, `id=` (the
// 8-digit wM-Bus id), `key=` (the DEK in hex), `driver=` (the device's driver hint, else `auto`).
// The members lie in `wmbusmeters.d/`, so unzipping into /etc puts them where wmbusmeters looks.
// wmbusmeters decrypts with the DEK only (AES-128): a device without a 16-byte DEK, or whose
// serial is not an 8-digit wM-Bus id (a concentrator), has no meter file; it is skipped and counted.

export const WMBUSMETERS_DIR = 'wmbusmeters.d';
const DRIVER = /^[a-z0-9_:]{1,64}$/;

/** The meter file of a device, or undefined when wmbusmeters could not use one. */
export function meterFile(d: ExportDevice, name: string): string | undefined {
  const dek = d.keys.find((k) => k.keyType === 'DEK');
  if (dek === undefined || dek.key.length !== 16 || !METER_SERIAL.test(d.serial)) return undefined;
  const driver = d.driverHint !== null && DRIVER.test(d.driverHint) ? d.driverHint : 'auto';
  return `name=${name}\nid=${d.serial}\nkey=${keyHex(dek.key)}\ndriver=${driver}\n`;
}

export async function writeWmbusmetersMembers(devices: AsyncIterable<ExportDevice>, zip: ExportZip): Promise<{ devices: number; keys: number; skipped: number }> {
  let count = 0;
  let skipped = 0;
  // Serials are unique per manufacturer only; a second meter with a serial already used is named with its manufacturer too.
  const names = new Set<string>();
  for await (const d of devices) {
    const name = names.has(d.serial) ? `${d.serial}-${d.manufacturer}` : d.serial;
    const file = meterFile(d, name);
    if (file === undefined) {
      skipped++;
      continue;
    }
    names.add(name);
    const sink = zip.member(`${WMBUSMETERS_DIR}/${name}`);
    await sink.write(file);
    await sink.end();
    count++;
  }
  return { devices: count, keys: count, skipped };
}
