import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { importProblem, importProblemCodes } from '../../../shared/inventory/import-problems.js';
import { de } from '../../i18n/de.js';
import { en } from '../../i18n/en.js';
import { importProblemText, rejectionSummary, type ImportProblem } from './import-problem-text.js';

describe('import problems in the reader’s language', () => {
  const i18n = i18next.createInstance();
  beforeAll(async () => {
    await i18n.init({ lng: 'de', resources: { de: { translation: de }, en: { translation: en } }, interpolation: { escapeValue: false }, showSupportNotice: false });
  });
  const at = (row: number, field: string, coded: ReturnType<typeof importProblem>): ImportProblem => ({ row, field, ...coded });

  it('translates the code with its parameters, numbers in the language’s format', () => {
    const deT = i18n.getFixedT('de');
    const enT = i18n.getFixedT('en');
    expect(importProblemText(deT, at(3, 'key', importProblem('key_length', { length: 4 })))).toBe('Ein Schlüssel hat 32 oder 64 Hexadezimalziffern (16 oder 32 Byte), nicht 4.');
    expect(importProblemText(enT, at(3, 'key', importProblem('key_length', { length: 4 })))).toBe('A key has 32 or 64 hexadecimal digits (16 or 32 bytes), not 4.');
    expect(importProblemText(deT, at(6, 'customer_no', importProblem('customer_unknown', { customerNo: 'K-404' })))).toBe('Es gibt kein Kundenkonto K-404; legen Sie es zuerst an.');
    expect(importProblemText(deT, { field: 'csv', ...importProblem('csv_line_too_long', { max: 65_536 }) })).toBe('Eine Zeile ist länger als 65.536 Byte.');
    expect(importProblemText(enT, { field: 'csv', ...importProblem('csv_line_too_long', { max: 65_536 }) })).toBe('A line is longer than 65,536 bytes.');
    expect(importProblemText(deT, at(2, 'medium', importProblem('medium_unknown', {})))).toBe('Ein Medium ist eines von heat, cooling, water-cold, water-warm, electricity, gas, other.');
  });

  it('has a text for every code in both languages, none of them the English server reason', () => {
    for (const language of ['de', 'en']) {
      const t = i18n.getFixedT(language);
      for (const code of importProblemCodes) {
        const text = importProblemText(t, { field: 'x', code, reason: 'server text' });
        expect(text, `${language} ${code}`).not.toBe('server text');
        expect(text, `${language} ${code}`).not.toContain('importProblems.');
        expect(text, `${language} ${code}`).toMatch(/\.$/);
      }
    }
  });

  it('shows the server’s text for a code it does not know, and for a problem without a code', () => {
    const t = i18n.getFixedT('de');
    expect(importProblemText(t, { row: 2, field: 'key', code: 'key_colour', reason: 'a key is not blue' })).toBe('a key is not blue');
    expect(importProblemText(t, { row: 2, field: 'key', code: 'toString', reason: 'a key is not blue' })).toBe('a key is not blue');
    expect(importProblemText(t, { row: 2, field: 'key', reason: 'a key is not blue' })).toBe('a key is not blue');
  });

  it('counts the rows refused, not the problems, and says "at least" when not all were kept', () => {
    const key = importProblem('key_hex', {});
    expect(rejectionSummary({ problems: [at(3, 'key', key)], problemCount: 1 })).toEqual({ kind: 'rows', count: 1 });
    expect(rejectionSummary({ problems: [at(3, 'key', key), at(3, 'serial', importProblem('meter_serial_format', {})), at(5, 'key', key)], problemCount: 3 })).toEqual({ kind: 'rows', count: 2 });
    expect(rejectionSummary({ problems: [at(3, 'key', key), at(4, 'key', key)], problemCount: 1_204 })).toEqual({ kind: 'atLeast', count: 2 });
    expect(rejectionSummary({ problems: [{ field: 'file', ...importProblem('no_devices', {}) }], problemCount: 1 })).toEqual({ kind: 'file' });
  });

  it('words the count to fit it', () => {
    expect(i18n.getFixedT('de')('import.rejected', { count: 1 })).toBe('Die Datei wurde nicht importiert: 1 Zeile ist ungültig. Es wurde nichts gespeichert.');
    expect(i18n.getFixedT('de')('import.rejected', { count: 1204 })).toBe('Die Datei wurde nicht importiert: 1.204 Zeilen sind ungültig. Es wurde nichts gespeichert.');
    expect(i18n.getFixedT('en')('import.rejected', { count: 1 })).toBe('The file was not imported: 1 row is invalid. Nothing was stored.');
    expect(i18n.getFixedT('en')('import.rejectedAtLeast', { count: 1000 })).toBe('The file was not imported: at least 1,000 rows are invalid. Nothing was stored.');
  });
});
