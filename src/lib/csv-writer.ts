// The one CSV writer of openeks (issue 11, item 10; SEC-15): every CSV the service writes — the
// audit CSV, the exports, the simulators' key file — goes through it. Imports store cells as
// they come, `=cmd|' /C calc'!A0` included; the danger is a spreadsheet opening a file we wrote,
// so the writer neutralises on the way out (OWASP "CSV Injection"; ASVS 5.0 1.2.10):
//
// - A text cell that a spreadsheet would take for a formula gets a single quote in front and is
//   quoted: one starting with = + - @ (also after leading spaces, and their full-width forms),
//   or with a tab, CR, LF or NUL. The quote shows that the cell was changed, and a spreadsheet
//   reads the rest as text.
// - Numbers the caller passes as numbers are written as numbers, negative ones too: `-12.5` can
//   be nothing but a number. Text that merely looks numeric (`"-12.5"`) is text from someone and is
//   neutralised like any other text; a caller with a number passes a number.
// - Quoting follows RFC 4180: a cell holding a quote, a comma, a line break, or a semicolon (the
//   separator of German spreadsheets, so that "a;=1+1" cannot become a cell of its own there) is
//   put in double quotes, its quotes doubled. Other cells stay bare, so simple files keep their
//   plain form.

export type CsvCell = string | number | null | undefined;

/** = + - @ first, after any spaces, in ASCII or full width; or a tab, CR, LF or NUL first. */
const FORMULA_START = /^(?: *[=+\-@\uFF1D\uFF0B\uFF0D\uFF20]|[\t\r\n\0])/;
const NEEDS_QUOTES = /[",;\r\n]/;

/** True when a spreadsheet could read the text as a formula. */
export function isFormulaLike(text: string): boolean {
  return FORMULA_START.test(text);
}

/** One cell, neutralised and quoted as needed. */
export function csvField(cell: CsvCell): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') {
    if (!Number.isFinite(cell)) throw new RangeError(`A CSV cell must be a finite number, not ${String(cell)}.`);
    return String(cell);
  }
  const neutralised = isFormulaLike(cell);
  const text = neutralised ? `'${cell}` : cell;
  return neutralised || NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export interface CsvOptions {
  /** RFC 4180 ends lines with CR LF; `\n` for files whose readers expect it (both of ours take either). */
  newline?: '\r\n' | '\n';
}

/** One record with its line end. */
export function csvRow(cells: readonly CsvCell[], options: CsvOptions = {}): string {
  return cells.map(csvField).join(',') + (options.newline ?? '\r\n');
}

/** A whole file: the header and the records, each line ended. */
export function csvDocument(rows: readonly (readonly CsvCell[])[], options: CsvOptions = {}): string {
  return rows.map((cells) => csvRow(cells, options)).join('');
}
