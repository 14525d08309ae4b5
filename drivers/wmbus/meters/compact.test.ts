import { describe, expect, it } from 'vitest';
import { plainTelegram } from '../../../test/support/wmbus-telegrams.js';
import { VECTORS, hex } from '../../../test/support/wmbus-vectors.js';
import { decodeTelegram } from '../decode-telegram.js';
import { isWmbusError } from '../errors.js';
import { FormatCache, meterRecords } from './compact.js';
import { decodeMeter } from './registry.js';

// Compact frames (CI 79) of wmbusmeters' test telegrams, before and after the full frame (CI 78)
// that carries their format; the values must equal those of the full frame.

const decode = (header: string, payload: string, ci: string) => decodeTelegram(plainTelegram(header, payload, ci), { crc: 'stripped' });

const CASES = [
  { name: 'MULTICAL 21', header: '2D2C998734761B16', full: '02FF207100041308190000441308190000615B7F616713', compact: 'EDA86AB6710008190000081900007F13', signature: 0xa8ed },
  { name: 'MULTICAL 21 with max flow', header: '2D2C776655441B16', full: '02FF20000004132F4E000092013B3D01A1015B028101E7FF0F03', compact: '12C40DFF00002F4E00003D010203', signature: 0xc412 },
  { name: 'OMNIPOWER', header: '2D2C576866323002', full: '04041A03000004843C00000000042B0300000004AB3C00000000', compact: '138CCCFB1A030000000000000300000000000000', signature: 0x8c13 },
] as const;

describe('compact frames', () => {
  it.each(CASES)('$name: without the known formats needs the full frame first, then decodes to the same fields', (c) => {
    const cache = new FormatCache({ known: false });
    const compact = decode(c.header, c.compact, '79');
    expect(meterRecords(compact, cache)).toEqual({ status: 'needs-full-frame', signature: c.signature });

    const full = decode(c.header, c.full, '78');
    const fromFull = meterRecords(full, cache);
    if (fromFull.status !== 'ok') throw new Error('the full frame must decode');
    expect(cache.has(c.signature)).toBe(true);

    const resolved = meterRecords(compact, cache);
    if (resolved.status !== 'ok') throw new Error('the compact frame must resolve');
    expect(decodeMeter(compact, resolved.records)).toEqual(decodeMeter(full, fromFull.records));
  });

  it('a compact frame whose data does not fit the cached format is bad-crc', () => {
    const c = CASES[0];
    const cache = new FormatCache({ known: false });
    meterRecords(decode(c.header, c.full, '78'), cache);
    const tampered = decode(c.header, c.compact.replace(/13$/, '14'), '79');
    try {
      meterRecords(tampered, cache);
      expect.unreachable();
    } catch (e) {
      expect(isWmbusError(e) && e.code).toBe('bad-crc');
    }
  });

  it('the Engelmann vector is a compact frame of format 052d: known, or needs-full-frame without the known formats', () => {
    const v = VECTORS.find((x) => x.meter === 'Engelmann FAW water meter');
    if (!v) throw new Error('no Engelmann vector');
    const t = decodeTelegram(hex(v.telegram), { crc: 'stripped', key: hex(v.key) });
    expect(meterRecords(t, new FormatCache({ known: false }))).toEqual({ status: 'needs-full-frame', signature: 0x052d });
    const cache = new FormatCache();
    expect(meterRecords(t, cache).status).toBe('ok');
    expect(cache.has(0x052d)).toBe(false); // known, not learned
  });

  it.each(CASES.filter((c) => c.name.startsWith('MULTICAL 21')))('$name: a known format decodes the compact frame before any full frame', (c) => {
    const fromKnown = meterRecords(decode(c.header, c.compact, '79'), new FormatCache());
    const fromFull = meterRecords(decode(c.header, c.full, '78'), new FormatCache());
    if (fromKnown.status !== 'ok' || fromFull.status !== 'ok') throw new Error('both must decode');
    expect(decodeMeter(decode(c.header, c.compact, '79'), fromKnown.records)).toEqual(decodeMeter(decode(c.header, c.full, '78'), fromFull.records));
  });

  it('mutated compact frames resolve, or fail with a WmbusError, never anything else', () => {
    const c = CASES[1];
    const cache = new FormatCache();
    meterRecords(decode(c.header, c.full, '78'), cache);
    const base = Buffer.from(c.compact, 'hex');
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let i = 0; i < 2000; i++) {
      const bytes = Buffer.from(base.subarray(0, rand(base.length + 1)));
      if (bytes.length > 0) bytes[rand(bytes.length)] = rand(256);
      try {
        const r = meterRecords(decode(c.header, bytes.toString('hex'), '79'), cache);
        if (r.status === 'ok') decodeMeter({ meterAddress: decode(c.header, '', '79').meterAddress }, r.records);
      } catch (e) {
        expect(isWmbusError(e)).toBe(true);
      }
    }
  });
});
