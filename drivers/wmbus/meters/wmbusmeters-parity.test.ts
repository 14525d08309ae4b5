import { createCipheriv } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VECTORS, hex } from '../../../test/support/wmbus-vectors.js';
import { decodeTelegram } from '../decode-telegram.js';
import { isWmbusError } from '../errors.js';
import { aesCtr, ellIv } from '../ell.js';
import { parseRecords, type DataRecord } from '../records.js';
import { mode5Iv } from '../tpl.js';
import { FormatCache, meterRecords } from './compact.js';
import { isPrintable, type Fields } from './fields.js';
import { KNOWN_FORMATS } from './known-formats.js';
import { crc16En13757 } from '../crc.js';
import { decodeMeter, mediaOf, METER_DRIVERS } from './registry.js';

// Parity with wmbusmeters: its test telegrams (the // Test: comments of its driver files, copied with
// their source into test/fixtures/wmbus/wmbusmeters-telegrams.json) decode to exactly the fields and
// values wmbusmeters prints, through decodeTelegram + meterRecords + decodeMeter.

interface Case {
  name: string;
  driver: string;
  id: string;
  key: string;
  telegram: string;
  media: string;
  expected: Fields;
  after?: string;
  /** Where we knowingly answer otherwise than wmbusmeters (the error code we give). */
  differs?: string;
}

const FIXTURE = new URL('../../../test/fixtures/wmbus/wmbusmeters-telegrams.json', import.meta.url);
const ALL = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: Case[] }).cases;
const CASES = ALL.filter((c) => c.differs === undefined);
const DIFFERS = ALL.filter((c) => c.differs !== undefined);
const TEST_KEY = hex('000102030405060708090A0B0C0D0E0F');

/**
 * wmbusmeters stores NOKEY telegrams already decrypted. Seal them with TEST_KEY as the meter would
 * (ELL AES-128-CTR from the payload CRC on; TPL mode 5 CBC over the announced blocks), so that they
 * take our real decryption and verification path.
 */
function seal(t: Buffer): Buffer {
  const out = Buffer.from(t);
  const ci = out[10];
  if (ci === 0x8d && out.readUInt32LE(13) >>> 29 === 1) {
    aesCtr(TEST_KEY, ellIv(out.subarray(2, 10), out[11] ?? 0, out.subarray(13, 17)), out.subarray(17)).copy(out, 17);
  } else if (ci === 0x7a && ((out.readUInt16LE(13) >> 8) & 0x1f) === 5) {
    const blocks = (out.readUInt16LE(13) >> 4) & 0x0f;
    const c = createCipheriv('aes-128-cbc', TEST_KEY, mode5Iv(out.subarray(2, 10), out[11] ?? 0)).setAutoPadding(false);
    Buffer.concat([c.update(out.subarray(15, 15 + blocks * 16)), c.final()]).copy(out, 15);
  }
  return out;
}

function telegramOf(c: Case): { bytes: Buffer; key: Buffer } {
  const bytes = hex(c.telegram);
  return c.key === 'NOKEY' ? { bytes: seal(bytes), key: TEST_KEY } : { bytes, key: hex(c.key) };
}

function decodeCase(c: Case, cache = new FormatCache()) {
  const { bytes, key } = telegramOf(c);
  const t = decodeTelegram(bytes, { crc: 'stripped', key });
  const r = meterRecords(t, cache);
  if (r.status !== 'ok') throw new Error(`${c.name}: ${r.status} ${r.signature.toString(16)}`);
  return { t, reading: decodeMeter(t, r.records) };
}

describe('wmbusmeters parity', () => {
  it.each(CASES)('$name ($driver $id) gives exactly the fields wmbusmeters prints', (c) => {
    const cache = new FormatCache();
    if (c.after) {
      const full = CASES.find((x) => x.name === c.after);
      if (!full) throw new Error(`no full frame ${c.after}`);
      decodeCase(full, cache);
    }
    const { t, reading } = decodeCase(c, cache);
    expect(t.meterAddress.id).toBe(c.id);
    expect(reading.driver).toBe(c.driver);
    expect(reading.fields).toEqual(c.expected);
    expect(mediaOf(reading.driver, t.meterAddress.deviceType)).toBe(c.media);
  });

  it.each(DIFFERS)('$name: $differs, where wmbusmeters prints a reading without checking', (c) => {
    const { bytes, key } = telegramOf(c);
    const t = decodeTelegram(bytes, { crc: 'stripped', key });
    try {
      meterRecords(t, new FormatCache());
      expect.unreachable();
    } catch (e) {
      expect(isWmbusError(e) && e.code).toBe(c.differs);
    }
  });

  it('a compact frame with an unknown format still needs its full frame', () => {
    const c = CASES.find((x) => x.name === 'OMNIPOWER myomnipower compact');
    if (!c) throw new Error('no OMNIPOWER compact case');
    const { bytes, key } = telegramOf(c);
    expect(meterRecords(decodeTelegram(bytes, { crc: 'stripped', key }), new FormatCache())).toEqual({ status: 'needs-full-frame', signature: 0x8c13 });
  });

  it('every known format hashes to its signature', () => {
    for (const f of KNOWN_FORMATS) expect([f.signature, crc16En13757(hex(f.headers))]).toEqual([f.signature, f.signature]);
  });

  it('the Engelmann FAW vector (compact, format 052d) decodes before any full frame', () => {
    const v = VECTORS.find((x) => x.meter === 'Engelmann FAW water meter');
    if (!v) throw new Error('no Engelmann vector');
    const t = decodeTelegram(hex(v.telegram), { crc: 'stripped', key: hex(v.key) });
    const r = meterRecords(t, new FormatCache());
    if (r.status !== 'ok') throw new Error('the known format must resolve it');
    const reading = decodeMeter(t, r.records);
    expect(reading.driver).toBe('engelmann-faw');
    expect(reading.fields).toMatchObject({
      status: 'OK', reporting_date: '2025-12-31', consumption_at_reporting_date_m3: 228.854,
      consumption_1_months_ago_m3: 252.159, consumption_15_months_ago_m3: 172.538,
    });
    expect(Object.keys(reading.fields)).toHaveLength(18);
    expect(mediaOf(reading.driver, t.meterAddress.deviceType)).toBe('water');
  });
});

describe('no decoder emits unprintable text', () => {
  const printableEverywhere = (fields: Fields) => {
    for (const [name, v] of Object.entries(fields)) if (typeof v === 'string') expect(isPrintable(v), `${name}=${JSON.stringify(v)}`).toBe(true);
  };

  it('over the wmbusmeters telegrams, with every driver', () => {
    for (const c of CASES) {
      if (c.after) continue; // compact frames carry the same records as their full frame
      const { bytes, key } = telegramOf(c);
      const t = decodeTelegram(bytes, { crc: 'stripped', key });
      const r = meterRecords(t, new FormatCache());
      if (r.status !== 'ok') throw new Error(`${c.name} must decode`);
      for (const driver of METER_DRIVERS) printableEverywhere(decodeMeter(t, r.records, { driver }).fields);
    }
  });

  it('over fuzzed records (text and binary values among them), with every driver', () => {
    let seed = 11;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const meter = { meterAddress: decodeTelegram(seal(hex(CASES[1]?.telegram ?? '')), { crc: 'stripped', key: TEST_KEY }).meterAddress };
    const seeds = ['0D7C03414243' + '05' + '0102031F7F', '0D13' + '05' + '00011B7FFF', '0DFD0F' + '04' + '0A0D0900', '07FD0C0102030405060708', '02FF200000'];
    let decoded = 0;
    for (let i = 0; i < 3000; i++) {
      const base = hex(seeds[rand(seeds.length)] ?? '');
      const bytes = Buffer.from(base);
      for (let k = rand(3); k >= 0; k--) bytes[rand(bytes.length)] = rand(256);
      let records: DataRecord[];
      try {
        records = parseRecords(bytes);
      } catch {
        continue;
      }
      decoded++;
      for (const driver of METER_DRIVERS) printableEverywhere(decodeMeter(meter, records, { driver }).fields);
    }
    expect(decoded).toBeGreaterThan(100);
  });
});
