import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { csvDocument, csvField, csvRow, isFormulaLike, type CsvCell } from './csv-writer.js';

// Issue 11, item 10: formula-like cells are stored as imported, and neutralised in every CSV the
// service writes (OWASP CSV Injection, ASVS 5.0 1.2.10; SEC-15).

describe('csvField', () => {
  const cases: [CsvCell, string][] = [
    // The probe's cells.
    ["=cmd|' /C calc'!A0", `"'=cmd|' /C calc'!A0"`],
    ['+SUM(1+1)', `"'+SUM(1+1)"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    // The rest of OWASP's list, and what hides them.
    ['-2+3', `"'-2+3"`],
    ['\t=1+1', `"'\t=1+1"`],
    ['\r=1+1', `"'\r=1+1"`],
    ['\n=1+1', `"'\n=1+1"`],
    ['\0=1', `"'\0=1"`],
    ['  =1+1', `"'  =1+1"`],
    ['＝1+1', `"'＝1+1"`],
    ['＠SUM(A1)', `"'＠SUM(A1)"`],
    ['=HYPERLINK("http://x.test","click")', `"'=HYPERLINK(""http://x.test"",""click"")"`],
    // Text that only looks like a negative number is text from someone: neutralised.
    ['-12.5', `"'-12.5"`],
    // Numbers passed as numbers are numbers.
    [-12.5, '-12.5'],
    [0, '0'],
    [1234567890123, '1234567890123'],
    // Harmless text stays bare; RFC 4180 quoting where a separator, quote or line break is inside.
    ['63941885', '63941885'],
    ['MULTICAL 21', 'MULTICAL 21'],
    ['water-cold', 'water-cold'],
    ['a=b', 'a=b'],
    ['x@example.com', 'x@example.com'],
    ['Müller, Jürgen', '"Müller, Jürgen"'],
    ['say "hi"', '"say ""hi"""'],
    ['line one\nline two', '"line one\nline two"'],
    ['line one\r\nline two', '"line one\r\nline two"'],
    ['a;=1+1', '"a;=1+1"'],
    ['Zählerschlüssel 🔑', 'Zählerschlüssel 🔑'],
    ['', ''],
    [null, ''],
    [undefined, ''],
  ];

  it.each(cases)('writes %j as %j', (cell, written) => {
    expect(csvField(cell)).toBe(written);
  });

  it('refuses a number that is not finite', () => {
    for (const n of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) expect(() => csvField(n)).toThrow(RangeError);
  });

  it('knows formula-like text', () => {
    expect(['=1', '+1', '-1', '@a', '\ta', '\ra', '\na', '\0a', ' =1', '－1', '＋1'].filter((t) => !isFormulaLike(t))).toEqual([]);
    expect(['1', 'a=1', 'a-1', ' a', "'=1", ''].filter(isFormulaLike)).toEqual([]);
  });
});

describe('csvRow and csvDocument', () => {
  it('end lines with CR LF by default, or LF when asked', () => {
    expect(csvRow(['a', 1, null])).toBe('a,1,\r\n');
    expect(csvDocument([['serial', 'key'], ['63941885', 'C0938B9F2CA9672BCD0013FA6AC75F6E']], { newline: '\n' })).toBe('serial,key\n63941885,C0938B9F2CA9672BCD0013FA6AC75F6E\n');
  });

  it('writes what a CSV parser reads back cell for cell (the quote in front aside)', () => {
    const rows: CsvCell[][] = [
      ['serial', 'note', 'amount'],
      ['63941885', "=cmd|' /C calc'!A0", -3],
      ['63941886', 'Müller, "der Ältere"\nzweite Zeile', 4.25],
      ['63941887', '', null],
    ];
    const text = csvDocument(rows);
    expect(parse(text, { record_delimiter: ['\r\n'] })).toEqual([
      ['serial', 'note', 'amount'],
      ['63941885', "'=cmd|' /C calc'!A0", '-3'],
      ['63941886', 'Müller, "der Ältere"\nzweite Zeile', '4.25'],
      ['63941887', '', ''],
    ]);
  });
});
