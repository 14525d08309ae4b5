import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { testKey } from '../../../../../test/fixtures/imports/kem-files.js';
import { allRows, appErrorOf, openHandles, tempDir } from '../../../../../test/fixtures/imports/reader-files.js';
import { KEY_CSV_HEADER as HEADER } from '../../../../shared/inventory/key-csv-columns.js';
import { openImportFile } from './index.js';


let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

const readAll = async (path: string) => allRows(await openImportFile(path));

describe('CSV files', () => {
  it('reads quoted values, CRLF line ends and a BOM, trims values and skips empty lines', async () => {
    const text = `\ufeff${HEADER}\r\n12345678,KAM,meter,water-cold,"MULTICAL 21",T1,C1,"O ""7"", 1", DN 5 ,CUST-1,DEK, ${testKey(1)} \r\n\r\n"ab,c/1",ABC,concentrator,other,"two\r\nlines",,,,,,GPK1,${testKey(2)}\r\n11111111,KAM,meter,heat,M,,,,,,DEK,${testKey(3)}\r\n`;
    const path = await dir.write('good.csv', text);
    const source = await openImportFile(path);
    expect(source.format).toBe('csv');
    expect(source.bytesTotal).toBe(Buffer.byteLength(text));
    expect(await allRows(source)).toEqual([
      {
        row: 2,
        values: { serial: '12345678', manufacturer: 'KAM', kind: 'meter', medium: 'water-cold', model: 'MULTICAL 21', typeNo: 'T1', configNo: 'C1', orderNo: 'O "7", 1', deliveryNote: 'DN 5', customerNo: 'CUST-1', keyType: 'DEK', key: testKey(1) },
      },
      {
        row: 4,
        values: { serial: 'ab,c/1', manufacturer: 'ABC', kind: 'concentrator', medium: 'other', model: 'two\r\nlines', typeNo: '', configNo: '', orderNo: '', deliveryNote: '', customerNo: '', keyType: 'GPK1', key: testKey(2) },
      },
      {
        row: 6,
        values: { serial: '11111111', manufacturer: 'KAM', kind: 'meter', medium: 'heat', model: 'M', typeNo: '', configNo: '', orderNo: '', deliveryNote: '', customerNo: '', keyType: 'DEK', key: testKey(3) },
      },
    ]);
    expect(source.bytesRead()).toBe(Buffer.byteLength(text));
    expect(await openHandles(path)).toBe(0);
  });

  it('reads LF line ends and a last line without one', async () => {
    const rows = await readAll(await dir.write('lf.csv', `${HEADER}\n11111111,KAM,meter,heat,M,,,,,,DEK,${testKey(1)}\n22222222,KAM,meter,heat,M,,,,,,DEK,${testKey(2)}`));
    expect(rows.map((r) => [r.row, r.values.serial, r.values.key])).toEqual([
      [2, '11111111', testKey(1)],
      [3, '22222222', testKey(2)],
    ]);
  });

  it('refuses a wrong header, naming what is wrong without quoting the line', async () => {
    const renamed = await appErrorOf(async () => openImportFile(await dir.write('a.csv', `${HEADER.replace('kind', 'type')}\n`)));
    expect(renamed.code).toBe('file_unreadable');
    expect(renamed.details).toEqual([{ row: 1, field: 'header', code: 'header_column', params: { column: 3, name: 'kind' }, reason: 'column 3 should be "kind"' }]);
    // A file without a header: its first line may hold a key, which must not be echoed.
    const headless = await appErrorOf(async () => openImportFile(await dir.write('b.csv', `12345678,KAM,meter,heat,M,T,C,O,D,CU,DEK\n`)));
    expect(headless.details).toEqual([{ row: 1, field: 'header', code: 'header_columns', params: { count: 11, expected: 12 }, reason: 'it has 11 columns, not 12' }]);
    expect(headless.message).not.toContain('12345678');
  });

  it('hands on rows with the wrong number of columns, each with its problem', async () => {
    const rows = await readAll(await dir.write('short.csv', `${HEADER}\n12345678,KAM,meter,heat,M,T,C,O,D,CU,DEK\n12345679,KAM,meter,heat,M,,,,,,DEK,${testKey(1)}\n1,2,3,4,5,6,7,8,9,10,11,12,13\n`));
    expect(rows.map((r) => [r.row, r.problem])).toEqual([
      [2, { row: 2, field: 'columns', code: 'column_count', params: { count: 11, expected: 12 }, reason: 'has 11 columns, not 12' }],
      [3, undefined],
      [4, { row: 4, field: 'columns', code: 'column_count', params: { count: 13, expected: 12 }, reason: 'has 13 columns, not 12' }],
    ]);
    expect(rows[0]?.values).toEqual({ serial: '12345678', manufacturer: 'KAM', kind: 'meter', medium: 'heat', model: 'M', typeNo: 'T', configNo: 'C', orderNo: 'O', deliveryNote: 'D', customerNo: 'CU', keyType: 'DEK', key: '' });
  });

  it('names the byte offset of invalid UTF-8', async () => {
    const head = Buffer.from(`${HEADER}\n12345678,KAM,meter,heat,Z`);
    const path = await dir.write('latin1.csv', Buffer.concat([head, Buffer.from([0xe4, 0x68]), Buffer.from(`ler,,,,,,DEK,${testKey(1)}\n`)]));
    const err = await appErrorOf(() => readAll(path));
    expect(err.code).toBe('file_unreadable');
    expect(err.details).toEqual([{ field: 'encoding', code: 'not_utf8', params: { offset: head.length }, reason: `not UTF-8 at byte ${head.length}`, offset: head.length }]);
    expect(await openHandles(path)).toBe(0);
  });

  it('reports a quote that is not closed, with its line and without the value', async () => {
    const err = await appErrorOf(async () => readAll(await dir.write('q.csv', `${HEADER}\n12345678,KAM,meter,heat,"M,,,,,,DEK,${testKey(1)}\n`)));
    expect(err.code).toBe('file_unreadable');
    expect(err.details).toEqual([{ row: 2, field: 'csv', code: 'csv_quote_not_closed', reason: 'a quoted value is not closed' }]);
    expect(err.message).not.toContain(testKey(1));
  });

  it('refuses an empty file and a binary one, saying what it expected', async () => {
    for (const [name, data] of [['empty.csv', ''], ['blank.csv', '\r\n\n']] as const) {
      const err = await appErrorOf(async () => openImportFile(await dir.write(name, data)));
      expect(err.code).toBe('file_unreadable');
      expect(err.message).toBe('The file is empty. Expected a CSV file, a KEM or KEM2 file, or a ZIP holding one.');
      expect(err.details).toEqual([{ field: 'file', code: 'file_empty', reason: 'the file is empty' }]);
    }
    const binary = await appErrorOf(async () => openImportFile(await dir.write('x.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00]))));
    expect(binary.message).toBe('The file is neither text nor a ZIP. Expected a CSV file, a KEM or KEM2 file, or a ZIP holding one.');
    expect(binary.details).toEqual([{ field: 'file', code: 'file_type', reason: 'not a CSV, KEM or KEM2 file, or a ZIP' }]);
  });
});

// Large files: generous time limits, since CI machines are shared.
describe('streaming a large CSV file', () => {
  async function writeCsv(path: string, rows: number): Promise<void> {
    const out = createWriteStream(path);
    out.write(`${HEADER}\r\n`);
    for (let i = 0; i < rows; i += 1000) {
      const lines: string[] = [];
      for (let j = i; j < i + 1000 && j < rows; j++) lines.push(`${10_000_000 + j},KAM,meter,water-cold,MULTICAL 21,T,C,O 1,DN,C-1,DEK,${testKey(j)}\r\n`);
      if (!out.write(lines.join(''))) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  }

  it('yields 200,000 rows, the first long before the file is read', async () => {
    const path = dir.path('large.csv');
    await writeCsv(path, 200_000);
    const source = await openImportFile(path);
    let n = 0;
    let readAtFirst = -1;
    let last = { row: 0, serial: '' };
    for await (const row of source.rows()) {
      if (n === 0) readAtFirst = source.bytesRead();
      n++;
      last = { row: row.row, serial: row.values.serial };
    }
    expect(n).toBe(200_000);
    expect(last).toEqual({ row: 200_001, serial: '10199999' });
    expect(source.bytesTotal).toBeGreaterThan(15_000_000);
    expect(readAtFirst).toBeGreaterThan(0);
    expect(readAtFirst).toBeLessThan(source.bytesTotal / 4);
  }, 120_000);

  it('closes the file when the consumer stops early, and on close() before reading', async () => {
    const path = dir.path('large.csv');
    await writeCsv(path, 50_000);
    const source = await openImportFile(path);
    expect(await openHandles(path)).toBe(1);
    for await (const row of source.rows()) {
      expect(row.row).toBe(2);
      break;
    }
    expect(await openHandles(path)).toBe(0);

    const unread = await openImportFile(path);
    expect(await openHandles(path)).toBe(1);
    await unread.close();
    expect(await openHandles(path)).toBe(0);
  }, 120_000);
});
