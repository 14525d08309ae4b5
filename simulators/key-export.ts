import { createCipheriv } from 'node:crypto';
import { csvDocument } from '../src/lib/csv-writer.js';
import { KEY_CSV_COLUMNS } from '../src/shared/inventory/key-csv-columns.js';
import type { DlmsMeterConfig, KmpMeterConfig } from './bench-config-protocols.js';
import type { MeterConfig, MeterKind } from './meters/meter-types.js';

// The bench's keys, ready for the core's import: the CSV of docs/product.md ("Devices and keys") and a
// Kamstrup-compatible KEM file (bare .kem: no zip library is installed; the importer takes it).
// Beside the wM-Bus meters: each MULTICAL 603 (KMP) with its DEK, each DLMS meter with a GUEK and a
// GAK row (the CSV's one key per row); the KEM, which carries DEKs only, gets the MULTICAL 603s too.

/** The bench's KMP and DLMS meters, for the exports that take them. */
export interface PullMeters {
  kmp?: readonly KmpMeterConfig[];
  dlms?: readonly DlmsMeterConfig[];
}

const MC603 = { model: 'MULTICAL 603', medium: 'heat', kemName: 'MC603', consumption: 'Heat' };
const OMNIPOWER = { model: 'OMNIPOWER', medium: 'electricity' };

/** Every device of the bench as the core holds it (manufacturer and serial), wM-Bus meters first. */
export function benchDevices(meters: readonly MeterConfig[], pull: PullMeters = {}): Array<{ manufacturer: string; serial: string }> {
  return [
    ...meters.map((m) => ({ manufacturer: manufacturerOf(m), serial: m.id })),
    ...(pull.kmp ?? []).map((m) => ({ manufacturer: 'KAM', serial: m.serial })),
    ...(pull.dlms ?? []).map((m) => ({ manufacturer: 'KAM', serial: m.serial })),
  ];
}

interface Catalogue {
  model: string;
  medium: string;
  kemName: string;
  consumption: string;
}

const CATALOGUE: Readonly<Record<MeterKind, Catalogue>> = {
  multical21: { model: 'MULTICAL 21', medium: 'water-cold', kemName: 'MC21', consumption: 'VolumeCold' },
  flowiq2200: { model: 'flowIQ 2200', medium: 'water-cold', kemName: 'flowIQ2200', consumption: 'VolumeCold' },
  multical403: { model: 'MULTICAL 403', medium: 'heat', kemName: 'MC403', consumption: 'Heat' },
  'oms-water': { model: 'OMS water meter', medium: 'water-cold', kemName: 'OMS', consumption: 'VolumeCold' },
};

/** flowIQ 2200 sends the M-field KAW (as wmbusmeters detects it); the other Kamstrup meters KAM. */
export function manufacturerOf(m: MeterConfig): string {
  if (m.kind === 'oms-water') return m.manufacturer ?? 'DME';
  return m.kind === 'flowiq2200' ? 'KAW' : 'KAM';
}

/**
 * Through the shared writer like every CSV openeks writes (src/lib/csv-writer.ts), so a cell is
 * neutralised if it ever looks like a formula. None of a bench's cells can (8-digit serials,
 * three-letter manufacturers, hex keys, the catalogue above), so the file is exactly what the
 * importer and `wmbus listen --keys` read; LF line ends, as both take and as the file always had.
 */
export function keysCsv(meters: readonly MeterConfig[], pull: PullMeters = {}): string {
  const rows = meters.map((m) => {
    const c = CATALOGUE[m.kind];
    return [m.id, manufacturerOf(m), 'meter', c.medium, c.model, '', '', '', '', '', 'DEK', m.key.toUpperCase()];
  });
  for (const m of pull.kmp ?? []) rows.push([m.serial, 'KAM', 'meter', MC603.medium, MC603.model, '', '', '', '', '', 'DEK', m.key.toUpperCase()]);
  for (const m of pull.dlms ?? []) {
    for (const [keyType, key] of [['GUEK', m.guek], ['GAK', m.gak]] as const) {
      rows.push([m.serial, 'KAM', 'meter', OMNIPOWER.medium, OMNIPOWER.model, '', '', '', '', '', keyType, key.toUpperCase()]);
    }
  }
  return csvDocument([KEY_CSV_COLUMNS, ...rows], { newline: '\n' });
}

const xmlEscape = (s: string): string => s.replace(/[<>&"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** The KEM plaintext: `<MetersInOrder …>` exactly like Kamstrup's, MeterNo filled with the serial. */
export function kemPlaintext(meters: readonly MeterConfig[], orderId: string, kmp: readonly KmpMeterConfig[] = []): string {
  const entry = (serial: string, key: string, name: string, consumption: string, vendor: string): string =>
    `<Meter><MeterNo>${serial}</MeterNo><SerialNo>${serial}</SerialNo><EncKeys><DEK>${key.toUpperCase()}</DEK></EncKeys>` +
    `<MeterName>${xmlEscape(name)}</MeterName><ConsumptionType>${consumption}</ConsumptionType>` +
    `<ConfigNo></ConfigNo><ProgramNo></ProgramNo><TypeNo></TypeNo><VendorId>${vendor}</VendorId></Meter>`;
  const body = [
    ...meters.map((m) => entry(m.id, m.key, CATALOGUE[m.kind].kemName, CATALOGUE[m.kind].consumption, manufacturerOf(m))),
    ...kmp.map((m) => entry(m.serial, m.key, MC603.kemName, MC603.consumption, 'KAM')),
  ].join('');
  return `<MetersInOrder orderid="${xmlEscape(orderId)}" schemaVersion="2.0">${body}</MetersInOrder>`;
}

/** Key = the password's UTF-8 bytes zero-padded to 16, IV = key; AES-128-CBC with PKCS#7. */
export function kemKey(password: string): Buffer {
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length < 1 || bytes.length > 16) throw new Error('the KEM password must be 1 to 16 bytes');
  const key = Buffer.alloc(16);
  bytes.copy(key);
  return key;
}

export function kemFile(meters: readonly MeterConfig[], password: string, orderId = 'openeks-bench', kmp: readonly KmpMeterConfig[] = []): string {
  const key = kemKey(password);
  const c = createCipheriv('aes-128-cbc', key, key);
  const cipher = Buffer.concat([c.update(kemPlaintext(meters, orderId, kmp), 'utf8'), c.final()]).toString('base64');
  return (
    '<?xml version="1.0" encoding="utf-8"?><EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element" ' +
    'xmlns="http://www.w3.org/2001/04/xmlenc#"><EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc" />' +
    `<CipherData><CipherValue>${cipher}</CipherValue></CipherData></EncryptedData>`
  );
}
