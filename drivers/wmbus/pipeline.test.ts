import { describe, expect, it } from 'vitest';
import { createMeter } from '../../simulators/meters/create-meter.js';
import { VIF, encodeCompactRecords, encodeRecords, type RecordSpec } from '../../simulators/wmbus/record-encoder.js';
import { addressBytes, encodeKamstrupEll, encodeOmsMode5, type RadioAddress } from '../../simulators/wmbus/telegram-encoders.js';
import { createRng } from '../../src/lib/prng.js';
import { hex, vectorOf } from '../../test/support/wmbus-vectors.js';
import { WMBUS_ERROR_CODES } from './errors.js';
import { PIPELINE_MAX_METERS, createTelegramPipeline, type MeterIdentity, type TelegramOutcome } from './pipeline.js';
import { mediaOf } from './meters/registry.js';

// The one decode pipeline on the shared real telegrams and on simulated frames: every outcome.

const mc21 = vectorOf('Kamstrup Multical 21');
const aventies = vectorOf('Aventies water meter');
const engelmann = vectorOf('Engelmann FAW water meter');
const reversed = (k: Buffer): Buffer => Buffer.from(k).reverse();
const WRONG = Buffer.alloc(16, 0x11);

/** keysFor that records who was asked for. */
function keyTable(...keys: Buffer[]) {
  const asked: MeterIdentity[] = [];
  return { asked, keysFor: (m: MeterIdentity) => (asked.push(m), keys) };
}

/** A layout no known compact format has: total volume (litres) and a flow temperature. */
const ODD_LAYOUT = (litres: number, temp: number): RecordSpec[] => [
  { bytes: 4, vif: VIF.volumeLitre, value: litres },
  { bytes: 2, vif: VIF.flowTempC, value: temp },
  { bytes: 1, vif: VIF.externalTempC, value: 7, storage: 1, fn: 2 },
];

const KEY = Buffer.from('C0938B9F2CA9672BCD0013FA6AC75F6E', 'hex');
const kamAddress = (id: string): RadioAddress => ({ manufacturer: 'KAM', id, version: 0x1b, deviceType: 0x16 });

function kamFrame(id: string, frame: 'full' | 'compact', specs: RecordSpec[], acc = 1): Buffer {
  const application = frame === 'full' ? Buffer.concat([Buffer.from([0x78]), encodeRecords(specs)]) : Buffer.concat([Buffer.from([0x79]), encodeCompactRecords(specs)]);
  return encodeKamstrupEll({ address: kamAddress(id), key: KEY, cc: 0x20, acc, session: acc, application });
}

/** Unencrypted: L C M A CI 0x78/0x79 (no TPL header) then records or a compact body. */
function plainFrame(a: RadioAddress, frame: 'full' | 'compact', specs: RecordSpec[]): Buffer {
  const body = frame === 'full' ? Buffer.concat([Buffer.from([0x78]), encodeRecords(specs)]) : Buffer.concat([Buffer.from([0x79]), encodeCompactRecords(specs)]);
  const rest = Buffer.concat([Buffer.from([0x44]), addressBytes(a), body]);
  return Buffer.concat([Buffer.from([rest.length]), rest]);
}

const kind = (r: TelegramOutcome) => r.kind;

describe('createTelegramPipeline — real telegrams', () => {
  it('MULTICAL 21 (Kamstrup ELL AES-CTR): a reading verified by the payload CRC, media and access number from the header', () => {
    const p = createTelegramPipeline();
    const k = keyTable(hex(mc21.key));
    const r = p.read(hex(mc21.telegram), k.keysFor);
    expect(r).toMatchObject({ kind: 'reading', driver: 'multical21', media: 'cold water', verified: 'crc', accessNumber: 0x91 });
    expect(r).not.toHaveProperty('frameCounter');
    if (r.kind !== 'reading') throw new Error(r.kind);
    expect(r.meter).toEqual({ manufacturer: 'KAM', id: '76348799', version: 0x1b, deviceType: 0x16 });
    expect(r.fields).toMatchObject({ total_m3: 6.408, target_m3: 6.408, status: 'DRY' });
    expect(k.asked).toEqual([r.meter]);
  });

  it('OMS mode 5: a reading verified by 2F2F; the Engelmann key is asked for the meter (TPL) address, not the radio one', () => {
    const p = createTelegramPipeline();
    expect(p.read(hex(aventies.telegram), keyTable(hex(aventies.key)).keysFor)).toMatchObject({ kind: 'reading', verified: '2f2f', media: 'water', accessNumber: 0xb5 });
    const k = keyTable(hex(engelmann.key));
    const r = p.read(hex(engelmann.telegram), k.keysFor);
    expect(k.asked.map((m) => m.id)).toEqual(['22862420']);
    expect(r.kind === 'reading' || r.kind === 'needs-full-frame').toBe(true); // a compact frame: known format or not
    expect(r).toMatchObject({ meter: { manufacturer: 'EFE', id: '22862420' } });
  });

  it.each([
    ['current key first', (k: Buffer) => [k, WRONG]],
    ['previous key second', (k: Buffer) => [WRONG, k]],
    ['a 32-byte key among them is skipped', (k: Buffer) => [Buffer.alloc(32, 1), k]],
  ])('keys in order: %s', (_name, keys) => {
    const p = createTelegramPipeline();
    for (const v of [mc21, aventies]) {
      const k = keyTable(...keys(hex(v.key)));
      expect(p.read(hex(v.telegram), k.keysFor).kind).toBe('reading');
      expect(k.asked).toHaveLength(1); // asked once per telegram, whatever the number of keys
    }
  });

  it('no key offered: no-key with the meter; wrong keys: key-refused; a byte-reversed key: reversedKeyFits', () => {
    const p = createTelegramPipeline();
    for (const v of [mc21, aventies, engelmann]) {
      const t = hex(v.telegram);
      const none = p.read(t, () => []);
      expect(none).toMatchObject({ kind: 'no-key', meter: { id: v.meter_id } });
      expect(p.read(t, () => [WRONG])).toEqual({ kind: 'key-refused', meter: none.kind === 'no-key' ? none.meter : null, reversedKeyFits: false });
      expect(p.read(t, () => [WRONG, reversed(hex(v.key))])).toMatchObject({ kind: 'key-refused', reversedKeyFits: true });
    }
  });

  it('the key buffers handed in are not changed (the reversed try works on a copy)', () => {
    const p = createTelegramPipeline();
    const key = reversed(hex(mc21.key));
    const before = Buffer.from(key);
    p.read(hex(mc21.telegram), () => [key]);
    expect(key.equals(before)).toBe(true);
  });

  it('opts.driver is read after keysFor (a key source may name the driver) and overrides detection', () => {
    const p = createTelegramPipeline();
    const opts: { driver?: string } = {};
    const r = p.read(hex(mc21.telegram), () => ((opts.driver = 'generic'), [hex(mc21.key)]), opts);
    expect(r).toMatchObject({ kind: 'reading', driver: 'generic' });
    expect(p.read(hex(mc21.telegram), () => [hex(mc21.key)], { driver: 'nope' })).toMatchObject({ kind: 'bad-telegram', code: 'bad-field', offsetIn: 'application-data' });
  });
});

describe('createTelegramPipeline — compact frames, unencrypted and bad telegrams', () => {
  it('a compact frame of an unknown format needs the full frame; after it, the compact frame gives the same fields', () => {
    const p = createTelegramPipeline();
    const compact = p.read(kamFrame('11112222', 'compact', ODD_LAYOUT(123_456, 12), 2), () => [KEY]);
    expect(compact).toMatchObject({ kind: 'needs-full-frame', meter: { id: '11112222' } });
    const full = p.read(kamFrame('11112222', 'full', ODD_LAYOUT(123_000, 11), 3), () => [KEY]);
    expect(full).toMatchObject({ kind: 'reading', verified: 'crc', accessNumber: 3 });
    const again = p.read(kamFrame('11112222', 'compact', ODD_LAYOUT(123_456, 12), 4), () => [KEY]);
    const reference = createTelegramPipeline().read(kamFrame('11112222', 'full', ODD_LAYOUT(123_456, 12), 4), () => [KEY]);
    expect(again).toEqual(reference);
    expect(again).toMatchObject({ kind: 'reading', verified: 'crc', fields: { total_m3: 123.456 } });
    if (compact.kind === 'needs-full-frame' && full.kind === 'reading') expect(compact.signature).toBeGreaterThan(0);
  });

  it('formats are per meter: another meter\'s full frame does not resolve this one\'s compact frame', () => {
    const p = createTelegramPipeline();
    expect(p.read(kamFrame('11112222', 'full', ODD_LAYOUT(1_000, 10)), () => [KEY]).kind).toBe('reading');
    expect(p.read(kamFrame('33334444', 'compact', ODD_LAYOUT(2_000, 10)), () => [KEY]).kind).toBe('needs-full-frame');
  });

  it('the simulator\'s MULTICAL 21 compact frame after its full frame decodes to the values sent', () => {
    const p = createTelegramPipeline();
    const meter = createMeter({ kind: 'multical21', id: '63941885', key: KEY.toString('hex'), intervalSeconds: 16 }, 7);
    const full = meter.next();
    const compact = meter.next({ frame: 'compact' });
    expect(p.read(full.telegram, () => [meter.key])).toMatchObject({ kind: 'reading', fields: { total_m3: full.values.total_m3 } });
    expect(p.read(compact.telegram, () => [meter.key])).toMatchObject({ kind: 'reading', verified: 'crc', fields: { total_m3: compact.values.total_m3, target_m3: compact.values.target_m3 } });
  });

  it('a compact frame whose values do not fit its format\'s CRC is bad-crc in the application data', () => {
    const p = createTelegramPipeline();
    const a = kamAddress('55556666');
    expect(p.read(plainFrame(a, 'full', ODD_LAYOUT(5, 5)), () => []).kind).toBe('reading');
    const compact = plainFrame(a, 'compact', ODD_LAYOUT(6, 6));
    compact[compact.length - 1] = (compact[compact.length - 1] ?? 0) ^ 0x01; // a value byte changed after the CRC was computed
    expect(p.read(compact, () => [])).toMatchObject({ kind: 'bad-telegram', code: 'bad-crc', offset: 2, offsetIn: 'application-data', meter: { id: '55556666' } });
  });

  it('an unencrypted telegram is a reading with verified "none"; no key is asked for', () => {
    const p = createTelegramPipeline();
    const k = keyTable(KEY);
    const r = p.read(plainFrame({ manufacturer: 'DME', id: '40312233', version: 1, deviceType: 0x07 }, 'full', ODD_LAYOUT(42_000, 9)), k.keysFor);
    expect(r).toMatchObject({ kind: 'reading', verified: 'none', media: 'water', driver: 'generic', accessNumber: 0 });
    expect(k.asked).toEqual([]);
  });

  it('mode 5 from the simulator: keys tried in order, 2F2F verification', () => {
    const a: RadioAddress = { manufacturer: 'DME', id: '40312233', version: 1, deviceType: 0x07 };
    const t = encodeOmsMode5({ address: a, key: KEY, acc: 0x42, status: 0, records: encodeRecords(ODD_LAYOUT(1, 1)) });
    const p = createTelegramPipeline();
    expect(p.read(t, () => [WRONG, KEY])).toMatchObject({ kind: 'reading', verified: '2f2f', accessNumber: 0x42 });
    expect(p.read(t, () => [reversed(KEY)])).toMatchObject({ kind: 'key-refused', reversedKeyFits: true });
  });

  it.each([
    ['empty', '', 'truncated', 0],
    ['L-field longer than the bytes', '2a442d2c', 'truncated', 4],
    ['L-field shorter than the bytes', '03442d2c99', 'bad-length', 4],
    ['no room for a CI field', '09442d2c998734761b16', 'bad-length', 0],
    ['an unknown CI field', '0a442d2c998734761b1651', 'unsupported-ci', 10],
    ['an ELL without its SN', '0d442d2c998734761b168d2091', 'truncated', 13],
  ])('%s (%s): bad-telegram %s at byte %d in the telegram', (_name, h, code, offset) => {
    const r = createTelegramPipeline().read(Buffer.from(h, 'hex'), () => [KEY]);
    expect(r).toMatchObject({ kind: 'bad-telegram', code, offset, offsetIn: 'telegram' });
    expect(r).not.toHaveProperty('meter');
  });

  it('an unencrypted ELL with a bad payload CRC is bad-crc at the CRC', () => {
    const t = hex(mc21.telegram);
    t[16] = (t[16] ?? 0) & 0x1f; // SN encryption bits 0: the "plaintext" CRC is ciphertext now
    expect(createTelegramPipeline().read(t, () => [KEY])).toMatchObject({ kind: 'bad-telegram', code: 'bad-crc', offset: 17, offsetIn: 'telegram' });
  });

  it(`remembers the formats of at most ${PIPELINE_MAX_METERS} meters; one is forgotten once ${PIPELINE_MAX_METERS / 2} others were heard since`, () => {
    const p = createTelegramPipeline();
    const addr = (i: number): RadioAddress => ({ manufacturer: 'DME', id: String(10_000_000 + i), version: 1, deviceType: 7 });
    const layout = ODD_LAYOUT(1, 1);
    p.read(plainFrame(addr(0), 'full', layout), () => []);
    p.read(plainFrame(addr(1), 'full', layout), () => []);
    for (let i = 2; i <= PIPELINE_MAX_METERS; i++) {
      if (i === PIPELINE_MAX_METERS / 2 + 2) p.read(plainFrame(addr(1), 'compact', layout), () => []); // meter 1 heard again: kept
      p.read(plainFrame(addr(i), 'full', layout), () => []);
    }
    expect(p.read(plainFrame(addr(0), 'compact', layout), () => []).kind).toBe('needs-full-frame');
    expect(p.read(plainFrame(addr(1), 'compact', layout), () => []).kind).toBe('reading');
    expect(p.read(plainFrame(addr(PIPELINE_MAX_METERS / 2 + 3), 'compact', layout), () => []).kind).toBe('reading');
  });
});

describe('mediaOf', () => {
  it('names the media as wmbusmeters prints them', () => {
    expect([0x02, 0x03, 0x04, 0x06, 0x07, 0x16, 0x15, 0x0c, 0x1a, 0x12, 0x80].map((t) => mediaOf('generic', t))).toEqual([
      'electricity', 'gas', 'heat', 'warm water', 'water', 'cold water', 'hot water', 'heat volume at inlet', 'smoke detector', 'reserved', 'unknown',
    ]);
  });
});

describe('createTelegramPipeline — never throws', () => {
  const RUNS = 4_000;
  it(`${RUNS} random and mutated frames, with and without keys: always an outcome, errors from the driver's list`, () => {
    const { next: rnd, int } = createRng(0x7e1e);
    const meter = createMeter({ kind: 'multical21', id: '63941885', key: KEY.toString('hex'), intervalSeconds: 16 }, 3);
    const seeds = [mc21, aventies, engelmann].map((v) => ({ t: hex(v.telegram), key: hex(v.key) }));
    seeds.push({ t: meter.next().telegram, key: KEY }, { t: meter.next({ frame: 'compact' }).telegram, key: KEY });
    const p = createTelegramPipeline();
    const seen = new Set<string>();
    for (let i = 0; i < RUNS; i++) {
      const seed = seeds[int(seeds.length)];
      if (!seed) throw new Error('no seeds');
      let bytes: Buffer;
      if (int(4) === 0) {
        bytes = Buffer.alloc(int(300));
        for (let j = 0; j < bytes.length; j++) bytes[j] = int(256);
      } else {
        bytes = Buffer.from(seed.t);
        for (let m = 1 + int(4); m > 0; m--) {
          const at = int(bytes.length);
          bytes[at] = rnd() < 0.5 ? int(256) : (bytes[at] ?? 0) ^ (1 << int(8));
        }
        if (rnd() < 0.3) bytes = bytes.subarray(0, int(bytes.length + 1));
        if (rnd() < 0.6) bytes[0] = bytes.length - 1;
      }
      const keys = rnd() < 0.7 ? [seed.key] : [];
      let r: TelegramOutcome;
      try {
        r = p.read(bytes, () => keys);
      } catch (e) {
        throw new Error(`iteration ${i}: threw ${String(e)} for ${bytes.toString('hex')}`);
      }
      seen.add(kind(r));
      if (r.kind === 'bad-telegram') {
        expect(WMBUS_ERROR_CODES).toContain(r.code);
        // The catch-all for errors that are not the driver's must never be reached.
        expect(r.message, `iteration ${i}: ${bytes.toString('hex')}`).not.toBe('the telegram could not be read');
        expect(Number.isInteger(r.offset) && r.offset >= 0).toBe(true);
      }
    }
    for (const k of ['bad-telegram', 'key-refused', 'no-key', 'reading'] as const) expect(seen).toContain(k);
  });
});
