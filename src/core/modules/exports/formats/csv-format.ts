import { csvRow } from '../../../../lib/csv-writer.js';
import { KEY_CSV_COLUMNS } from '../../../../shared/inventory/key-csv-columns.js';
import type { ExportDevice } from '../export-format.js';
import type { MemberSink } from './export-zip.js';
import { keyHex } from './key-text.js';

// CSV: the import's columns and header (docs/inventory.md "Imports"), one row per key, through the
// one CSV writer (SEC-15), so a text cell a spreadsheet would take for a formula gets its quote.
// The importer takes that quote off again (csv-reader.ts `unneutralised`), so an export
// re-imports to the same devices and keys. A text that itself starts with a quote gets one more,
// so taking one off is always right: value → cell → value is one-to-one.

const QUOTE = "'";

/** A free-text value as its cell: a leading quote doubled, then csvRow neutralises formulas. */
export function textCell(value: string | null): string {
  if (value === null) return '';
  return value.startsWith(QUOTE) ? QUOTE + value : value;
}

export async function writeCsvMember(devices: AsyncIterable<ExportDevice>, sink: MemberSink): Promise<{ devices: number; keys: number }> {
  let count = 0;
  let keys = 0;
  await sink.write(csvRow(KEY_CSV_COLUMNS));
  for await (const d of devices) {
    count++;
    const model = textCell(d.model);
    const typeNo = textCell(d.typeNo);
    const configNo = textCell(d.configNo);
    const orderNo = textCell(d.orderNo);
    const deliveryNote = textCell(d.deliveryNote);
    const customerNo = textCell(d.customerNo);
    for (const k of d.keys) {
      keys++;
      await sink.write(csvRow([d.serial, d.manufacturer, d.kind, d.medium, model, typeNo, configNo, orderNo, deliveryNote, customerNo, k.keyType, keyHex(k.key)]));
    }
  }
  return { devices: count, keys };
}
