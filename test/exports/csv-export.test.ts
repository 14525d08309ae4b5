import { readFile, writeFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { asSystem, createTestApp, type TestApp } from '../harness.js';
import { deviceKeyContext } from '../../src/core/modules/keys/key-crypto.js';
import { textCell } from '../../src/core/modules/exports/formats/csv-format.js';
import { unneutralised } from '../../src/core/modules/imports/readers/csv-reader.js';
import { csvField } from '../../src/lib/csv-writer.js';
import { device, opensslVerifies, sumsCheck, tempDir, type TempDir, unzipped, writeTo } from './export-files.js';

// CSV download (docs/downloads.md): the import's header and columns, one row per key; the file
// re-imports through the import service into an empty database to the same devices and keys.

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

const first = device('63941885', {}, ['DEK', 'GPK1']);
const gateway = device('GW-0001', { kind: 'concentrator', manufacturer: 'ACM', medium: 'other', model: null, typeNo: null, configNo: null, orderNo: null, deliveryNote: null, driverHint: null }, ['KEK', 'OPTICAL']);
gateway.keys.push({ keyType: 'GUEK', version: 3, key: Buffer.alloc(32, 0xab) });
const devices = [
  first,
  // Free text a spreadsheet would take for a formula, or that starts with a quote, or holds a comma:
  device('63941886', { model: '=HYPERLINK("x")', typeNo: "'quoted", configNo: '-12', orderNo: 'a,b;c', deliveryNote: '@dn', medium: 'heat' }),
  gateway,
];
const flip = (bytes: Buffer, at: number, bit: number): void => {
  bytes.writeUInt8(bytes.readUInt8(at) ^ bit, at);
};

describe('CSV download', () => {
  it('is a signed ZIP of the CSV member, read by unzip, sha256sum and openssl', async () => {
    const { written, path, signer } = await writeTo(dir, { format: 'csv', devices });
    expect(written).toEqual({ devices: 3, keys: 6, fileName: 'openeks-test-2026-12-03-2.csv.zip', contentType: 'application/zip' });
    expect(await unzipped(dir, path)).toEqual(['openeks-test-2026-12-03-2.csv', 'SHA256SUMS', 'SHA256SUMS.sig']);
    expect(await opensslVerifies(dir, signer)).toBe(true);
    expect(await sumsCheck(dir)).toBe(true);
    const csv = await readFile(dir.path('x/openeks-test-2026-12-03-2.csv'), 'utf8');
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('serial,manufacturer,kind,medium,model,type_no,config_no,order_no,delivery_note,customer_no,key_type,key');
    expect(lines).toHaveLength(8);
    expect(lines[1]).toBe(`63941885,KAM,meter,water-cold,MULTICAL 21,02146C0G8RK,0100200013933,ORD-1,DN-1,,DEK,${first.keys.map((k) => k.key.toString('hex').toUpperCase())[0] ?? ''}`);
    // The formula is neutralised for spreadsheets (SEC-15):
    expect(lines[3]).toContain(`"'=HYPERLINK(""x"")",''quoted,"'-12","a,b;c","'@dn"`);
  });

  it('re-imports into an empty database to the same devices and keys', async () => {
    const { path } = await writeTo(dir, { format: 'csv', devices });
    await unzipped(dir, path);
    const t: TestApp = await createTestApp();
    try {
      const csvPath = dir.path('x/openeks-test-2026-12-03-2.csv');
      const view = await t.container.imports.run({ path: csvPath, fileName: 'export.csv', newVersion: false, ...asSystem });
      expect(view.status).toBe('succeeded');
      const k = t.container.db.kysely;
      const rows = await k.selectFrom('devices').selectAll().orderBy('serial').execute();
      expect(rows.map((d) => [d.serial, d.manufacturer, d.kind, d.medium, d.model, d.type_no, d.config_no, d.order_no, d.delivery_note])).toEqual(
        [...devices].sort((a, b) => a.serial.localeCompare(b.serial)).map((d) => [d.serial, d.manufacturer, d.kind, d.medium, d.model, d.typeNo, d.configNo, d.orderNo, d.deliveryNote]),
      );
      const keys = await k.selectFrom('device_keys').innerJoin('devices', 'devices.id', 'device_keys.device_id').select(['device_keys.id', 'device_keys.device_id', 'device_keys.key_type', 'device_keys.version', 'device_keys.ciphertext', 'devices.serial']).execute();
      const got = new Map<string, string>();
      for (const key of keys) {
        const plain = await t.container.vault.decrypt({ ciphertext: key.ciphertext ?? '', context: deviceKeyContext({ id: key.id, deviceId: key.device_id, keyType: key.key_type, version: key.version }) });
        got.set(`${key.serial}/${key.key_type}`, plain.toString('hex'));
      }
      const want = new Map(devices.flatMap((d) => d.keys.map((key) => [`${d.serial}/${key.keyType}`, key.key.toString('hex')] as const)));
      expect(got).toEqual(want);
    } finally {
      await t.close();
    }
  });

  it('a flipped byte in the member fails sha256sum; a flipped signature fails openssl', async () => {
    const { path, signer } = await writeTo(dir, { format: 'csv', devices });
    await unzipped(dir, path);
    const member = dir.path('x/openeks-test-2026-12-03-2.csv');
    const bytes = await readFile(member);
    flip(bytes, bytes.length - 3, 0x01);
    await writeFile(member, bytes);
    expect(await sumsCheck(dir)).toBe(false);
    expect(await opensslVerifies(dir, signer)).toBe(true);
    const sig = await readFile(dir.path('x/SHA256SUMS.sig'));
    expect(sig).toHaveLength(64);
    flip(sig, 10, 0x80);
    await writeFile(dir.path('x/SHA256SUMS.sig'), sig);
    expect(await opensslVerifies(dir, signer)).toBe(false);
  });
});

describe('CSV text cells', () => {
  it('value → neutralised cell → unneutralised value is one-to-one', () => {
    const samples = ['', 'plain', '=1+1', '+x', '-12', '@a', "'", "''", "'abc", "'=x", '  =x', '＝x', 'a,b', '"q"', "x'"];
    for (const value of samples) {
      const cell = csvField(textCell(value));
      const parsed = parse(cell, { relax_quotes: false }) as string[][];
      expect(unneutralised((parsed[0]?.[0] ?? '').trim()), JSON.stringify(value)).toBe(value);
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }).map((s) => s.trim()).filter((s) => s !== ''), (value) => {
        const parsed = parse(csvField(textCell(value))) as string[][];
        return unneutralised((parsed[0]?.[0] ?? '').trim()) === value;
      }),
    );
  });
});
