import { Readable, pipeline } from 'node:stream';
import { CsvError, parse } from 'csv-parse';
import { isAppError } from '../../../../shared/errors.js';
import { isFormulaLike } from '../../../../lib/csv-writer.js';
import { KEY_CSV_COLUMNS, KEY_CSV_HEADER } from '../../../../shared/inventory/key-csv-columns.js';
import type { ImportRow, ImportSource, ImportValues } from '../import-row.js';
import type { ChunkSource } from './chunk-source.js';
import { unreadable } from './reader-errors.js';
import { Utf8Check } from './utf8-check.js';
import { type CodedReason, importProblem } from '../../../../shared/inventory/import-problems.js';

/** A row of twelve short values is far below this; more is not a key file. */
const MAX_RECORD = 65_536;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

// csv-parse's messages quote the field they stopped at, which may be a key: only the code is used.
const csvReasons: Partial<Record<string, CodedReason>> = {
  CSV_QUOTE_NOT_CLOSED: importProblem('csv_quote_not_closed', {}),
  CSV_INVALID_CLOSING_QUOTE: importProblem('csv_closing_quote', {}),
  INVALID_OPENING_QUOTE: importProblem('csv_opening_quote', {}),
  CSV_MAX_RECORD_SIZE: importProblem('csv_line_too_long', { max: MAX_RECORD }),
};

/** The values of one CSV record and the line it starts on. */
interface CsvRecord {
  fields: string[];
  line: number;
}

/** Opens a CSV byte stream: checks the header, then hands out one row per line. */
export async function openCsvSource(
  source: ChunkSource,
  progress: { bytesTotal: number; bytesRead: () => number; close: () => Promise<void> },
): Promise<ImportSource> {
  const parser = parse({
    relax_column_count: true,
    max_record_size: MAX_RECORD,
    record_delimiter: ['\r\n', '\n'],
  });
  // Errors reach the parser through pipeline, so iterating it reports them all.
  pipeline(Readable.from(checkedBytes(source)), parser, () => undefined);
  const records = parser[Symbol.asyncIterator]() as AsyncIterator<string[]>;
  // Lines are counted here, not with csv-parse's per-record info (which costs a third of the
  // time): each record starts a line after the previous one and its quoted line breaks.
  // Empty lines come as records of one empty value, so they are counted, then skipped.
  let line = 1;
  const close = async () => {
    parser.destroy();
    await progress.close();
  };
  const next = async (): Promise<CsvRecord | undefined> => {
    for (;;) {
      let r: IteratorResult<string[]>;
      try {
        r = await records.next();
      } catch (err) {
        throw csvError(err);
      }
      if (r.done === true) return undefined;
      const fields = r.value;
      const start = line;
      line += 1 + lineBreaks(fields);
      if (fields.length !== 1 || fields[0] !== '') return { fields, line: start };
    }
  };
  try {
    const header = await next();
    const problem = headerProblem(header?.fields);
    if (problem !== undefined) {
      throw unreadable(`The CSV file's first line must be the header "${KEY_CSV_HEADER}": ${problem.reason}.`, { row: 1, field: 'header', ...problem });
    }
  } catch (err) {
    await close();
    throw err;
  }
  async function* rows(): AsyncGenerator<ImportRow> {
    try {
      for (let r = await next(); r !== undefined; r = await next()) yield toRow(r);
    } finally {
      await close();
    }
  }
  return { format: 'csv', bytesTotal: progress.bytesTotal, bytesRead: progress.bytesRead, rows, close };
}

async function* checkedBytes(source: ChunkSource): AsyncGenerator<Buffer> {
  const utf8 = new Utf8Check('The CSV file');
  let first = true;
  for (let chunk = await source.next(); chunk !== undefined; chunk = await source.next()) {
    utf8.push(chunk);
    if (first && chunk.subarray(0, 3).equals(BOM)) chunk = chunk.subarray(3);
    first = false;
    yield chunk;
  }
  utf8.end();
}

function lineBreaks(fields: string[]): number {
  let n = 0;
  for (const field of fields) for (let i = field.indexOf('\n'); i >= 0; i = field.indexOf('\n', i + 1)) n++;
  return n;
}

function headerProblem(fields: string[] | undefined): CodedReason | undefined {
  if (fields === undefined) return importProblem('file_empty', {});
  if (fields.length !== KEY_CSV_COLUMNS.length) return importProblem('header_columns', { count: fields.length, expected: KEY_CSV_COLUMNS.length });
  const wrong = KEY_CSV_COLUMNS.findIndex((name, i) => fields[i] !== name);
  const name = KEY_CSV_COLUMNS[wrong];
  return name === undefined ? undefined : importProblem('header_column', { column: wrong + 1, name });
}

function toRow({ fields, line }: CsvRecord): ImportRow {
  const v = (i: number) => (fields[i] ?? '').trim();
  const t = (i: number) => unneutralised(v(i));
  const values: ImportValues = {
    serial: v(0), manufacturer: v(1), kind: v(2), medium: v(3), model: t(4), typeNo: t(5),
    configNo: t(6), orderNo: t(7), deliveryNote: t(8), customerNo: t(9), keyType: v(10), key: v(11),
  };
  if (fields.length === KEY_CSV_COLUMNS.length) return { row: line, values };
  return { row: line, values, problem: { row: line, field: 'columns', ...importProblem('column_count', { count: fields.length, expected: KEY_CSV_COLUMNS.length }) } };
}

/**
 * A free-text cell as openeks's CSV export wrote it (exports/formats/csv-format.ts): the quote the
 * writer put before a formula-like text (src/lib/csv-writer.ts) or before a text starting with a
 * quote is taken off, so an export re-imports to the same values. Other cells stay as they are.
 */
export function unneutralised(cell: string): string {
  if (!cell.startsWith("'")) return cell;
  const rest = cell.slice(1);
  return rest.startsWith("'") || isFormulaLike(rest) ? rest : cell;
}

function csvError(err: unknown): unknown {
  if (isAppError(err) || !(err instanceof CsvError)) return err;
  const coded = csvReasons[err.code] ?? importProblem('csv_invalid', {});
  const row = typeof err['lines'] === 'number' ? err['lines'] : undefined;
  return unreadable(`The CSV file cannot be read${row === undefined ? '' : ` at line ${row}`}: ${coded.reason}.`, { field: 'csv', ...coded, ...(row === undefined ? {} : { row }) });
}
