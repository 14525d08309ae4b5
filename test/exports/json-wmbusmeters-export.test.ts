import { readFile } from 'node:fs/promises';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeTelegram } from '../../drivers/wmbus/index.js';
import { VECTORS, hex } from '../support/wmbus-vectors.js';
import { device, opensslVerifies, sumsCheck, tempDir, type TempDir, unzipped, writeTo } from './export-files.js';

// JSON and wmbusmeters downloads (docs/downloads.md): the JSON validates against its published
// schema and carries the keys; the wmbusmeters meter files parse back and their keys decrypt real
// telegrams through our wM-Bus decoder.

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

describe('JSON download', () => {
  it('validates against docs/schemas/export-v1.schema.json and carries every key', async () => {
    const devices = [
      device('63941885', {}, ['DEK', 'GPK1']),
      device('GW-0001', { kind: 'concentrator', manufacturer: 'ACM', medium: 'other', model: 'Zähler "1"\n', typeNo: null, configNo: null, orderNo: null, deliveryNote: null, customerNo: 'K-7', driverHint: null }, ['KEK']),
    ];
    const { written, path, signer } = await writeTo(dir, { format: 'json', devices });
    expect(written).toEqual({ devices: 2, keys: 3, fileName: 'openeks-test-2026-12-03-2.json.zip', contentType: 'application/zip' });
    expect(await unzipped(dir, path)).toEqual(['openeks-test-2026-12-03-2.json', 'SHA256SUMS', 'SHA256SUMS.sig']);
    expect(await opensslVerifies(dir, signer)).toBe(true);
    expect(await sumsCheck(dir)).toBe(true);
    const doc: unknown = JSON.parse(await readFile(dir.path('x/openeks-test-2026-12-03-2.json'), 'utf8'));
    const schema = JSON.parse(await readFile(new URL('../../docs/schemas/export-v1.schema.json', import.meta.url), 'utf8')) as object;
    const validate = new Ajv2020({ strict: true, allErrors: true }).compile(schema);
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc).toEqual(devices.map((d) => ({ ...d, keys: d.keys.map((k) => ({ keyType: k.keyType, version: k.version, key: k.key.toString('hex').toUpperCase() })) })));
  });

  it('writes an empty array for no devices, still valid and signed', async () => {
    const { written, path, signer } = await writeTo(dir, { format: 'json', devices: [] });
    expect(written.devices).toBe(0);
    await unzipped(dir, path);
    expect(await opensslVerifies(dir, signer)).toBe(true);
    expect(JSON.parse(await readFile(dir.path('x/openeks-test-2026-12-03-2.json'), 'utf8'))).toEqual([]);
  });
});

/** A wmbusmeters meter file as wmbusmeters reads it: `key=value` lines. */
function parseMeterFile(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\n').filter((l) => l !== '')) {
    const at = line.indexOf('=');
    expect(at).toBeGreaterThan(0);
    fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

describe('wmbusmeters download', () => {
  it('one meter file per meter; the keys they carry decrypt the real telegrams', async () => {
    const manufacturers = ['KAM', 'AAA', 'EFE'];
    const devices = VECTORS.map((v, i) => ({
      ...device(v.meter_id, { manufacturer: manufacturers[i] ?? 'KAM', driverHint: i === 0 ? 'multical21' : null }),
      keys: [{ keyType: 'DEK' as const, version: 1, key: hex(v.key) }],
    }));
    const noDek = device('11111111', {}, ['GPK1']);
    const concentrator = device('GW-0001', { kind: 'concentrator' });
    const { written, path, signer } = await writeTo(dir, { format: 'wmbusmeters', devices: [...devices, noDek, concentrator] });
    expect(written).toEqual({ devices: 3, keys: 3, skipped: 2, fileName: 'openeks-test-2026-12-03-2.wmbusmeters.zip', contentType: 'application/zip' });
    const names = await unzipped(dir, path);
    expect(names).toEqual([...VECTORS.map((v) => `wmbusmeters.d/${v.meter_id}`), 'SHA256SUMS', 'SHA256SUMS.sig']);
    expect(await opensslVerifies(dir, signer)).toBe(true);
    expect(await sumsCheck(dir)).toBe(true);
    for (const [i, v] of VECTORS.entries()) {
      const text = await readFile(dir.path(`x/wmbusmeters.d/${v.meter_id}`), 'utf8');
      const fields = parseMeterFile(text);
      expect(Object.keys(fields)).toEqual(['name', 'id', 'key', 'driver']);
      expect(fields['name']).toBe(v.meter_id);
      expect(fields['id']).toBe(v.meter_id);
      expect(fields['driver']).toBe(i === 0 ? 'multical21' : 'auto');
      const decoded = decodeTelegram(hex(v.telegram), { crc: 'stripped', key: Buffer.from(fields['key'] ?? '', 'hex') });
      expect(decoded.decrypted, v.meter).toBe(true);
    }
  });

  it('writes 70,000 meter files, with the ZIP64 end records unzip needs beyond 65,535 members', { timeout: 180_000 }, async () => {
    async function* many(): AsyncIterable<ReturnType<typeof device>> {
      const key = Buffer.alloc(16, 0x3c);
      for (let i = 0; i < 70_000; i++) yield { ...device(String(20_000_000 + i)), keys: [{ keyType: 'DEK', version: 1, key }] };
    }
    const started = performance.now();
    const { written, path, signer } = await writeTo(dir, { format: 'wmbusmeters', devices: many() });
    const seconds = (performance.now() - started) / 1000;
    expect(written).toMatchObject({ devices: 70_000, keys: 70_000, skipped: 0 });
    console.info(`wmbusmeters, 70,000 meter files: written in ${seconds.toFixed(1)} s`);
    // Speed is the bench's business (docs/downloads.md "wmbusmeters"), not an assertion here.
    const names = await unzipped(dir, path);
    expect(names).toHaveLength(70_002);
    expect(names.slice(-2)).toEqual(['SHA256SUMS', 'SHA256SUMS.sig']);
    expect(await opensslVerifies(dir, signer)).toBe(true);
    expect(await sumsCheck(dir)).toBe(true);
    expect(parseMeterFile(await readFile(dir.path('x/wmbusmeters.d/20069999'), 'utf8'))).toEqual({ name: '20069999', id: '20069999', key: '3C'.repeat(16), driver: 'multical21' });
  });

  it('names a second meter with a serial already used after its manufacturer too', async () => {
    const { path } = await writeTo(dir, { format: 'wmbusmeters', devices: [device('12345678'), device('12345678', { manufacturer: 'DME' })] });
    expect(await unzipped(dir, path)).toEqual(['wmbusmeters.d/12345678', 'wmbusmeters.d/12345678-DME', 'SHA256SUMS', 'SHA256SUMS.sig']);
    expect(parseMeterFile(await readFile(dir.path('x/wmbusmeters.d/12345678-DME'), 'utf8'))['name']).toBe('12345678-DME');
  });
});
