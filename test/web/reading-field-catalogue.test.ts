import i18next from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeMeter, METER_DRIVERS, type DataRecord, type RecordFunction } from '../../drivers/wmbus/index.js';
import { extensionFb, extensionFd, primaryVif, type VifInfo } from '../../drivers/wmbus/vif-table.js';
import { de } from '../../src/web/i18n/de.js';
import { en } from '../../src/web/i18n/en.js';
import { durationOf, fieldSpec, statusParts } from '../../src/web/pages/inventory/reading-fields.js';
import { readingRows } from '../../src/web/pages/inventory/reading-format.js';

// The telegram check's catalogue of decoded values (src/web/pages/inventory/reading-fields.ts) must
// know every name the meter drivers can produce, every status word and every duration: this feeds
// each driver records of every quantity the VIF tables know, in every function, storage, tariff
// and sub-unit, with and without the backward-flow VIFE, plus Kamstrup's manufacturer records with
// every bit set. A new driver field, quantity or status word without a label fails here.

const FUNCTIONS: readonly RecordFunction[] = ['instantaneous', 'maximum', 'minimum', 'error'];
const BACKWARD = 0x3c;

function valueOf(info: VifInfo): number | string {
  if (info.type === 'date') return '2026-11-28';
  if (info.type === 'datetime') return '2026-11-28T13:05';
  if (info.type === 'identifier') return '12345678';
  return 1.5;
}

function record(fields: Partial<DataRecord> & Pick<DataRecord, 'quantity'>): DataRecord {
  return { offset: 0, dif: 0x04, dife: [], vif: 0, vife: [], storage: 0, tariff: 0, subunit: 0, function: 'instantaneous', unit: '', exponent: 0, value: 1.5, raw: Buffer.alloc(4), ...fields };
}

/** Every kind of record the VIF tables describe, in every position a field name can tell apart. */
function everyRecord(): DataRecord[] {
  const kinds: Array<{ vif: number; ext: number[]; info: VifInfo }> = [];
  for (let code = 0; code < 0x7b; code++) {
    const info = primaryVif(code);
    if (info !== null) kinds.push({ vif: code, ext: [], info });
  }
  for (let code = 0; code < 0x80; code++) {
    kinds.push({ vif: 0xfd, ext: [code], info: extensionFd(code) });
    kinds.push({ vif: 0xfb, ext: [code], info: extensionFb(code) });
  }
  kinds.push({ vif: 0x7e, ext: [], info: { quantity: 'any', unit: '', exponent: 0, type: 'number' } });
  kinds.push({ vif: 0x7c, ext: [], info: { quantity: 'plain-text', unit: 'Liter', exponent: 0, type: 'number' } });
  const records: DataRecord[] = [];
  for (const { vif, ext, info } of kinds) {
    for (const fn of FUNCTIONS) {
      for (const storage of [0, 1, 2]) {
        for (const tariff of [0, 1]) {
          for (const subunit of [0, 1]) {
            for (const backward of [false, true]) {
              records.push(record({ vif, vife: [...ext, ...(backward ? [BACKWARD] : [])], function: fn, storage, tariff, subunit, quantity: info.quantity, unit: info.unit, exponent: info.exponent, value: valueOf(info) }));
            }
          }
        }
      }
    }
  }
  records.push(record({ dif: 0x0f, quantity: 'manufacturer-data', value: '0102' }));
  records.push(record({ dif: 0x1f, quantity: 'manufacturer-data-more-follows', value: '0102' }));
  return records;
}

/** Kamstrup's manufacturer records (02FF20 info codes, 04FF22/04FF23 flags, 04FF07/08 E8/E9). */
function kamstrupRecords(info: number): DataRecord[] {
  const mfct = (dif: number, code: number, value: number) => record({ dif, vif: 0xff, vife: [code], quantity: 'manufacturer-specific', value });
  return [mfct(0x02, 0x20, info), mfct(0x04, 0x22, 0xffffffff), mfct(0x04, 0x23, 0xffffffff), mfct(0x04, 0x07, 1234), mfct(0x04, 0x08, 5678)];
}

/**
 * The generic decoder's names, one for each quantity and unit and one for each set of qualifiers:
 * together they show every label text; all 36,000 would take i18next a minute to render.
 */
function representatives(fields: Record<string, number | string | null>): Record<string, number | string | null> {
  const seen = new Set<string>();
  const out: Record<string, number | string | null> = {};
  for (const [name, value] of Object.entries(fields)) {
    const label = fieldSpec(name, 'generic')?.label;
    if (label === undefined || 'field' in label) continue;
    const what = `${'quantity' in label ? label.quantity : label.vif}|${JSON.stringify(fieldSpec(name, 'generic')?.unit)}`;
    const how = label.qualifiers.map((q) => q.kind).join(',');
    if (seen.has(what) && seen.has(how)) continue;
    seen.add(what);
    seen.add(how);
    out[name] = value;
  }
  return out;
}

const address = { meterAddress: { manufacturer: 'KAM', manufacturerCode: 0x2c2d, id: '12345678', version: 0x1b, deviceType: 0x16, bytes: Buffer.from('2d2c785634121b16', 'hex') } };

describe('the telegram check’s catalogue of decoded values', () => {
  const i18n = i18next.createInstance();
  beforeAll(async () => {
    await i18n.init({ lng: 'de', resources: { de: { translation: de }, en: { translation: en } }, interpolation: { escapeValue: false }, showSupportNotice: false });
  });
  const all = everyRecord();

  it('labels every field every driver can produce, in German and in English', () => {
    // Problems are collected and compared once: tens of thousands of expect() calls would take minutes.
    const unknown: string[] = [];
    const notNamed: string[] = [];
    const untranslated: string[] = [];
    let names = 0;
    for (const driver of METER_DRIVERS) {
      const reading = decodeMeter(address, [...all, ...kamstrupRecords(0xffff)], { driver });
      for (const name of Object.keys(reading.fields)) {
        const spec = fieldSpec(name, reading.driver);
        if (spec === undefined) unknown.push(`${driver}: ${name}`);
        // A driver's own fields are named in the catalogue, not read as generic ones by chance.
        else if (driver !== 'generic' && !('field' in spec.label)) notNamed.push(`${driver}: ${name}`);
        names++;
      }
      const shown = { driver: reading.driver, fields: driver === 'generic' ? representatives(reading.fields) : reading.fields };
      for (const language of ['de', 'en']) {
        for (const row of readingRows(i18n.getFixedT(language), language, shown)) {
          if (row.label === row.name || row.label.includes('reading.') || row.value.includes('reading.')) untranslated.push(`${language} ${driver}: ${row.name}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    expect(notNamed).toEqual([]);
    expect(untranslated).toEqual([]);
    expect(names).toBeGreaterThan(1_000);
  });

  it('knows every status word and every duration the drivers write', () => {
    for (let k = 0; k < 8; k++) {
      const info = 0x0f | (k << 4) | (k << 7) | (k << 10) | (k << 13);
      for (const driver of METER_DRIVERS) {
        const { fields } = decodeMeter(address, kamstrupRecords(info), { driver });
        for (const name of ['status', 'current_status'] as const) {
          const value = fields[name];
          if (typeof value !== 'string') continue;
          for (const part of statusParts(value)) expect(part, `${driver} ${name}: ${value}`).not.toHaveProperty('unknown');
        }
        for (const name of ['time_dry', 'time_reversed', 'time_leaking', 'time_bursting']) {
          const value = fields[name];
          if (value !== undefined) expect(durationOf(String(value)), `${driver} ${name}: ${String(value)}`).toBeDefined();
        }
      }
    }
    // Aventies' and Engelmann's error flags (VIF FD17), every bit set.
    const flags = record({ vif: 0xfd, vife: [0x17], quantity: 'error-flags', value: 0xffff });
    for (const driver of ['aventieswm', 'engelmann-faw']) {
      const { fields } = decodeMeter(address, [flags], { driver });
      for (const name of ['status', 'error_flags']) {
        const value = fields[name];
        if (typeof value === 'string') for (const part of statusParts(value)) expect(part, `${driver} ${name}: ${value}`).not.toHaveProperty('unknown');
      }
      expect(statusParts(String(fields['status'])).filter((p) => 'word' in p).length).toBeGreaterThanOrEqual(6);
    }
    // All of Kamstrup's info codes and the water flags, each with its own text.
    const heat = decodeMeter(address, kamstrupRecords(0x0f), { driver: 'kamheat' }).fields['status'];
    expect(statusParts(String(heat))).toHaveLength(32);
    const water = decodeMeter(address, kamstrupRecords(0x0f), { driver: 'flowiq2200' }).fields['status'];
    // Sorted, as wmbusmeters sorts status words.
    expect(statusParts(String(water))).toEqual([{ word: 'BURST' }, { word: 'DRY' }, { errorFlags: 'FFFFFFF0' }, { word: 'LEAK' }, { word: 'REVERSE' }]);
  });
});
