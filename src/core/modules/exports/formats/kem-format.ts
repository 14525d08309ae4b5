import type { ExportDevice } from '../export-format.js';
import { consumptionFromMedium, meterNameFromModel } from '../../imports/readers/kem-vocabulary.js';
import type { KemCipherStream } from './kem-cipher-stream.js';
import { keyHex, xmlText } from './key-text.js';

// The KEM plaintext (docs/product.md "KEM"), element for element as in Kamstrup's files
// (test/fixtures/kem/kamstrup-sample.kem): `<MetersInOrder orderid=… schemaVersion="2.0">`, one
// `<Meter>` per device, `MeterNo` filled with the serial, each key in `<EncKeys>` under its type's
// name (DEK first), as the importer reads them (imports/readers/kem-plaintext.ts).

export async function writeKemPlaintext(devices: AsyncIterable<ExportDevice>, orderId: string, out: KemCipherStream): Promise<{ devices: number; keys: number }> {
  let count = 0;
  let keys = 0;
  await out.write(`<MetersInOrder orderid="${xmlText(orderId)}" schemaVersion="2.0">`);
  for await (const d of devices) {
    count++;
    keys += d.keys.length;
    const serial = xmlText(d.serial);
    const encKeys = d.keys.map((k) => `<${k.keyType}>${keyHex(k.key)}</${k.keyType}>`).join('');
    await out.write(
      `<Meter><MeterNo>${serial}</MeterNo><SerialNo>${serial}</SerialNo><EncKeys>${encKeys}</EncKeys>` +
        `<MeterName>${xmlText(meterNameFromModel(d.model))}</MeterName><ConsumptionType>${consumptionFromMedium(d.medium)}</ConsumptionType>` +
        `<ConfigNo>${xmlText(d.configNo)}</ConfigNo><ProgramNo></ProgramNo><TypeNo>${xmlText(d.typeNo)}</TypeNo><VendorId>${xmlText(d.manufacturer)}</VendorId></Meter>`,
    );
  }
  await out.write('</MetersInOrder>');
  return { devices: count, keys };
}

/**
 * The KEM2 plaintext: `<Devices schemaVersion="1.0">`, one `<Device>` each, keys as
 * `<Key><Name>DEK</Name><Value>HEX</Value></Key>` with DEK first (kem-plaintext.ts reads them).
 * `CustomerDeviceNumber` is the customer's own number for a device, which openeks does not keep: empty.
 */
export async function writeKem2Plaintext(devices: AsyncIterable<ExportDevice>, out: KemCipherStream): Promise<{ devices: number; keys: number }> {
  let count = 0;
  let keys = 0;
  await out.write('<Devices schemaVersion="1.0">');
  for await (const d of devices) {
    count++;
    keys += d.keys.length;
    const keyList = d.keys.map((k) => `<Key><Name>${k.keyType}</Name><Value>${keyHex(k.key)}</Value></Key>`).join('');
    await out.write(
      `<Device><OrderNumber>${xmlText(d.orderNo)}</OrderNumber><SerialNumber>${xmlText(d.serial)}</SerialNumber><CustomerDeviceNumber></CustomerDeviceNumber>` +
        `<ShortName>${xmlText(meterNameFromModel(d.model))}</ShortName><ConsumptionTypeName>${consumptionFromMedium(d.medium)}</ConsumptionTypeName>` +
        `<ManufacturerId>${xmlText(d.manufacturer)}</ManufacturerId><ConfigNumber>${xmlText(d.configNo)}</ConfigNumber><TypeNumber>${xmlText(d.typeNo)}</TypeNumber>` +
        `<Keys>${keyList}</Keys></Device>`,
    );
  }
  await out.write('</Devices>');
  return { devices: count, keys };
}
