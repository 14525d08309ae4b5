import { describe, expect, it } from 'vitest';
import { hostileDoctype, meterXml, testKey } from '../../../../../test/fixtures/imports/kem-files.js';
import { appErrorOf } from '../../../../../test/fixtures/imports/reader-files.js';
import type { ImportRow } from '../import-row.js';
import { KemPlaintext } from './kem-plaintext.js';

// The decrypted content on its own. Through the file, it must start with its root element
// (kem-cipher.ts checks that to prove the password), so a DOCTYPE can only come later; here the
// reader is fed one where XML would allow it, before the root, and must refuse it all the same.

function read(chunks: string[]): ImportRow[] {
  const rows: ImportRow[] = [];
  const reader = new KemPlaintext('kem', (row) => rows.push(row));
  for (const chunk of chunks) reader.push(Buffer.from(chunk, 'utf8'));
  reader.end();
  return rows;
}

describe('KemPlaintext and DOCTYPE declarations', () => {
  const prolog = '<?xml version="1.0" encoding="utf-8"?>';
  const body = `<MetersInOrder orderid="1" schemaVersion="2.0">${meterXml('12345678', testKey(1))}</MetersInOrder>`;

  it('reads the content without one', () => {
    expect(read([prolog + body]).map((r) => r.values.serial)).toEqual(['12345678']);
  });

  it('refuses one before the root element, wherever the chunks split it, naming its offset', async () => {
    const text = prolog + hostileDoctype('MetersInOrder') + body;
    for (const cut of [0, prolog.length + 1, prolog.length + 4, prolog.length + 8, prolog.length + 9, text.length - 1]) {
      const err = await appErrorOf(async () => read([text.slice(0, cut), text.slice(cut)]));
      expect({ cut, code: err.code, details: err.details }).toEqual({
        cut,
        code: 'file_unreadable',
        details: [{ field: 'content', code: 'xml_doctype', reason: 'a DOCTYPE declaration (KEM files have none)', offset: prolog.length }],
      });
    }
  });

  it('refuses one fed a byte or three at a time', async () => {
    const text = prolog + hostileDoctype('MetersInOrder') + body;
    for (const size of [1, 3]) {
      const chunks = Array.from({ length: Math.ceil(text.length / size) }, (_, i) => text.slice(i * size, (i + 1) * size));
      const err = await appErrorOf(async () => read(chunks));
      expect({ size, details: err.details }).toEqual({ size, details: [{ field: 'content', code: 'xml_doctype', reason: 'a DOCTYPE declaration (KEM files have none)', offset: prolog.length }] });
    }
  });

  it('refuses one in lower case as well', async () => {
    const err = await appErrorOf(async () => read([`${prolog}<!doctype MetersInOrder>${body}`]));
    expect(err.details).toEqual([{ field: 'content', code: 'xml_doctype', reason: 'a DOCTYPE declaration (KEM files have none)', offset: prolog.length }]);
  });
});
