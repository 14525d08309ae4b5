import { csvField, csvRow } from '../../../../lib/csv-writer.js';
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
    // The device's cells once, each key's row after them: the same text csvRow would make.
    const cells = [d.serial, d.manufacturer, d.kind, d.medium, textCell(d.model), textCell(d.typeNo), textCell(d.configNo), textCell(d.orderNo), textCell(d.deliveryNote), textCell(d.customerNo)];
    const head = `${cells.map(csvField).join(',')},`;
    let rows = '';
    for (const k of d.keys) {
      keys++;
      rows += `${head}${csvField(k.keyType)},${keyHex(k.key)}\r\n`;
    }
    await sink.write(rows);
  }
  return { devices: count, keys };
}
