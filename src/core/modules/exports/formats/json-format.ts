import type { ExportDevice } from '../export-format.js';
import type { MemberSink } from './export-zip.js';
import { keyHex } from './key-text.js';

// JSON: an array of devices with their active keys, one device per line, written as they come
// (docs/schemas/export-v1.schema.json is its schema; docs/downloads.md "JSON").

export const JSON_EXPORT_SCHEMA_ID = 'https://openeks.org/schemas/export-v1.schema.json';

function deviceJson(d: ExportDevice): string {
  return JSON.stringify({
    id: d.id,
    serial: d.serial,
    manufacturer: d.manufacturer,
    kind: d.kind,
    medium: d.medium,
    model: d.model,
    typeNo: d.typeNo,
    configNo: d.configNo,
    orderNo: d.orderNo,
    deliveryNote: d.deliveryNote,
    customerNo: d.customerNo,
    driverHint: d.driverHint,
    keys: d.keys.map((k) => ({ keyType: k.keyType, version: k.version, key: keyHex(k.key) })),
  });
}

export async function writeJsonMember(devices: AsyncIterable<ExportDevice>, sink: MemberSink): Promise<{ devices: number; keys: number }> {
  let count = 0;
  let keys = 0;
  await sink.write('[');
  for await (const d of devices) {
    await sink.write(`${count === 0 ? '\n' : ',\n'}${deviceJson(d)}`);
    count++;
    keys += d.keys.length;
  }
  await sink.write(count === 0 ? ']\n' : '\n]\n');
  return { devices: count, keys };
}
