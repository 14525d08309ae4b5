import { readFile, writeFile } from 'node:fs/promises';
import { SaxesParser } from 'saxes';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openImportFile } from '../../src/core/modules/imports/readers/index.js';
import { KEM_ENVELOPE_HEAD, KEM_ENVELOPE_TAIL } from '../../src/core/modules/exports/formats/kem-cipher-stream.js';
import { AppError } from '../../src/shared/errors.js';
import { kamstrupSampleKem } from '../fixtures/fixture-files.js';
import { allRows } from '../fixtures/imports/reader-files.js';
import { device, opensslVerifies, sh, sumsCheck, tempDir, type TempDir, unzipped, writeTo } from './export-files.js';

// KEM and KEM2 downloads (docs/downloads.md): opened by unzip, decrypted by openssl, parsed by an
// XML parser, read back by our importer, and shaped like Kamstrup's real file.

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

const keyOf = (password: string): string => {
  const key = Buffer.alloc(16);
  Buffer.from(password, 'utf8').copy(key);
  return key.toString('hex');
};

/** openssl's decryption of a KEM member's CipherValue. */
async function opensslDecrypts(kemPath: string, password: string): Promise<string> {
  const file = await readFile(kemPath, 'latin1');
  expect(file.startsWith(KEM_ENVELOPE_HEAD) && file.endsWith(KEM_ENVELOPE_TAIL)).toBe(true);
  const b64 = file.slice(KEM_ENVELOPE_HEAD.length, -KEM_ENVELOPE_TAIL.length);
  expect(b64).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
  const ct = dir.path('ct.bin');
  await writeFile(ct, Buffer.from(b64, 'base64'));
  const k = keyOf(password);
  const r = await sh('openssl', ['enc', '-d', '-aes-128-cbc', '-K', k, '-iv', k, '-in', ct]);
  return r.stdout;
}

/** Element names in document order, with their depth, and the texts of leaf elements. */
function xmlShape(xml: string): { names: string[]; texts: Map<string, string[]>; attributes: Record<string, string> } {
  const parser = new SaxesParser();
  const names: string[] = [];
  const texts = new Map<string, string[]>();
  let attributes: Record<string, string> = {};
  let depth = 0;
  let text = '';
  parser.on('opentag', (tag) => {
    if (depth === 0) attributes = tag.attributes as Record<string, string>;
    names.push(`${'  '.repeat(depth)}${tag.name}`);
    depth++;
    text = '';
  });
  parser.on('text', (t) => (text += t));
  parser.on('closetag', (tag) => {
    depth--;
    texts.set(tag.name, [...(texts.get(tag.name) ?? []), text]);
    text = '';
  });
  parser.write(xml).close();
  return { names, texts, attributes };
}

const meters = [
  device('63941885'),
  device('63941886', { model: 'Zähler <&> "x"', configNo: "O'Brien", medium: 'heat' }, ['DEK', 'GPK1']),
  device('12345678', { model: 'flowIQ 2200', manufacturer: 'KAW', medium: 'water-warm', typeNo: null, configNo: null }),
];

describe('KEM download', () => {
  it('is a signed ZIP of <32 hex>.kem and the XSD; openssl decrypts the one-line envelope to <MetersInOrder …>', async () => {
    const { written, path, signer } = await writeTo(dir, { format: 'kem', devices: meters, password: '0450284H', orderId: 'ORDER 7' });
    expect(written).toEqual({ devices: 3, keys: 4, fileName: 'openeks-test-2026-12-03-2.kem.zip', contentType: 'application/zip' });
    const names = await unzipped(dir, path);
    expect(names).toHaveLength(4);
    expect(names[0]).toMatch(/^[0-9A-F]{32}\.kem$/);
    expect(names.slice(1)).toEqual(['meter_information_file.xsd', 'SHA256SUMS', 'SHA256SUMS.sig']);
    expect(await opensslVerifies(dir, signer)).toBe(true);
    expect(await sumsCheck(dir)).toBe(true);
    expect(await readFile(dir.path('x/meter_information_file.xsd'), 'utf8')).toBe(await readFile(new URL('../../docs/schemas/meter_information_file.xsd', import.meta.url), 'utf8'));

    const kemFile = await readFile(dir.path(`x/${names[0] ?? ''}`));
    expect(kemFile.includes(Buffer.from('\n'))).toBe(false);
    // One flipped byte in the .kem member (or the XSD) fails `sha256sum -c`; the signature still holds for SHA256SUMS.
    for (const member of [names[0] ?? '', 'meter_information_file.xsd']) {
      const original = await readFile(dir.path(`x/${member}`));
      const flipped = Buffer.from(original);
      flipped.writeUInt8(flipped.readUInt8(200) ^ 0x04, 200);
      await writeFile(dir.path(`x/${member}`), flipped);
      expect(await sumsCheck(dir)).toBe(false);
      await writeFile(dir.path(`x/${member}`), original);
      expect(await sumsCheck(dir)).toBe(true);
    }
    const plain = await opensslDecrypts(dir.path(`x/${names[0] ?? ''}`), '0450284H');
    expect(plain.startsWith('<MetersInOrder orderid="ORDER 7" schemaVersion="2.0"><Meter><MeterNo>63941885</MeterNo>')).toBe(true);
    const { texts, attributes } = xmlShape(plain);
    expect(attributes).toEqual({ orderid: 'ORDER 7', schemaVersion: '2.0' });
    expect(texts.get('MeterNo')).toEqual(['63941885', '63941886', '12345678']);
    expect(texts.get('MeterName')).toEqual(['MC21', 'Zähler <&> "x"', 'flowIQ2200']);
    expect(texts.get('ConfigNo')).toEqual(['0100200013933', "O'Brien", '']);
    expect(texts.get('ConsumptionType')).toEqual(['VolumeCold', 'Heat', 'VolumeHot']);
    expect(texts.get('GPK1')).toEqual([meters[1]?.keys[1]?.key.toString('hex').toUpperCase()]);
  });

  it('has the structure of the real Kamstrup file: the same envelope bytes, element names and order', async () => {
    const { path } = await writeTo(dir, { format: 'kem', devices: [device('63941885')], password: kamstrupSampleKem.password });
    const names = await unzipped(dir, path);
    const ours = await opensslDecrypts(dir.path(`x/${names[0] ?? ''}`), kamstrupSampleKem.password);
    const theirs = await opensslDecrypts(kamstrupSampleKem.path, kamstrupSampleKem.password);
    const oursShape = xmlShape(ours).names;
    const theirsShape = xmlShape(theirs).names;
    // The sample has two meters, ours one: the same names in the same order, meter for meter.
    expect(oursShape).toEqual(theirsShape.slice(0, oursShape.length));
    expect(theirsShape.slice(oursShape.length)).toEqual(theirsShape.slice(1, oursShape.length));
    expect(Buffer.from(ours).subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(false);
  });

  it('reads back through our importer, as the ZIP itself, to the same devices and keys', async () => {
    const { path } = await writeTo(dir, { format: 'kem', devices: meters, password: 'Schlüssel-Pw16b', orderId: 'A-1' });
    const source = await openImportFile(path, { password: 'Schlüssel-Pw16b' });
    expect(source.format).toBe('kem');
    const rows = await allRows(source);
    expect(rows.map((r) => [r.values.serial, r.values.manufacturer, r.values.medium, r.values.model, r.values.typeNo, r.values.configNo, r.values.orderNo, r.values.keyType, r.values.key])).toEqual([
      ['63941885', 'KAM', 'water-cold', 'MULTICAL 21', '02146C0G8RK', '0100200013933', 'A-1', 'DEK', meters[0]?.keys[0]?.key.toString('hex').toUpperCase()],
      ['63941886', 'KAM', 'heat', 'Zähler <&> "x"', '02146C0G8RK', "O'Brien", 'A-1', 'DEK', meters[1]?.keys[0]?.key.toString('hex').toUpperCase()],
      ['63941886', 'KAM', 'heat', 'Zähler <&> "x"', '02146C0G8RK', "O'Brien", 'A-1', 'GPK1', meters[1]?.keys[1]?.key.toString('hex').toUpperCase()],
      ['12345678', 'KAW', 'water-warm', 'flowIQ 2200', '', '', 'A-1', 'DEK', meters[2]?.keys[0]?.key.toString('hex').toUpperCase()],
    ]);
    expect(rows.every((r) => r.problem === undefined)).toBe(true);
  });

  it('takes a 16-byte and a multi-byte UTF-8 password; refuses 0 and 17 bytes naming `password`, writing nothing', async () => {
    for (const password of ['0123456789abcdef', 'äöü€']) {
      const { path } = await writeTo(dir, { format: 'kem', devices: [device('63941885')], password });
      const names = await unzipped(dir, path);
      expect((await opensslDecrypts(dir.path(`x/${names[0] ?? ''}`), password)).startsWith('<MetersInOrder ')).toBe(true);
    }
    for (const password of ['', '0123456789abcdefg', 'äöü€€€€']) {
      for (const format of ['kem', 'kem2'] as const) {
        const err = await writeTo(dir, { format, devices: [device('63941885')], password }).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('validation_failed');
        expect((err as AppError).details?.[0]?.field).toBe('password');
        expect((err as AppError).message).not.toContain(password === '' ? '\u0000' : password);
      }
    }
  });
});

describe('meter_information_file.xsd', () => {
  it('validates our KEM plaintext and the real Kamstrup file with xmllint', async () => {
    const xsd = new URL('../../docs/schemas/meter_information_file.xsd', import.meta.url).pathname;
    const { path } = await writeTo(dir, { format: 'kem', devices: meters, password: 'pw' });
    const names = await unzipped(dir, path);
    await writeFile(dir.path('ours.xml'), await opensslDecrypts(dir.path(`x/${names[0] ?? ''}`), 'pw'));
    await writeFile(dir.path('theirs.xml'), await opensslDecrypts(kamstrupSampleKem.path, kamstrupSampleKem.password));
    for (const file of ['ours.xml', 'theirs.xml']) {
      const r = await sh('xmllint', ['--noout', '--schema', xsd, dir.path(file)]);
      expect(r.stderr).toContain('validates');
    }
    // And it can fail: a Meter without its SerialNo does not.
    await writeFile(dir.path('bad.xml'), '<MetersInOrder orderid="1" schemaVersion="2.0"><Meter><MeterNo>1</MeterNo></Meter></MetersInOrder>');
    await expect(sh('xmllint', ['--noout', '--schema', xsd, dir.path('bad.xml')])).rejects.toThrow();
  });
});

describe('KEM2 download', () => {
  it('is <fileStem>.kem2 with the <Devices> document, decrypted by openssl and read back by our importer', async () => {
    const { written, path, signer } = await writeTo(dir, { format: 'kem2', devices: meters, password: 'kem2-pass' });
    expect(written.fileName).toBe('openeks-test-2026-12-03-2.kem2.zip');
    expect(await unzipped(dir, path)).toEqual(['openeks-test-2026-12-03-2.kem2', 'SHA256SUMS', 'SHA256SUMS.sig']);
    expect(await opensslVerifies(dir, signer)).toBe(true);
    const plain = await opensslDecrypts(dir.path('x/openeks-test-2026-12-03-2.kem2'), 'kem2-pass');
    const { names, texts } = xmlShape(plain);
    expect(names.slice(0, 16)).toEqual([
      'Devices', '  Device', '    OrderNumber', '    SerialNumber', '    CustomerDeviceNumber', '    ShortName', '    ConsumptionTypeName',
      '    ManufacturerId', '    ConfigNumber', '    TypeNumber', '    Keys', '      Key', '        Name', '        Value', '  Device', '    OrderNumber',
    ]);
    expect(texts.get('Name')).toEqual(['DEK', 'DEK', 'GPK1', 'DEK']);
    // The ZIP itself imports too (without the XSD, which describes KEM's document).
    expect((await allRows(await openImportFile(path, { password: 'kem2-pass' }))).length).toBe(4);
    const rows = await allRows(await openImportFile(dir.path('x/openeks-test-2026-12-03-2.kem2'), { password: 'kem2-pass' }));
    expect(rows.map((r) => [r.values.serial, r.values.manufacturer, r.values.medium, r.values.model, r.values.orderNo, r.values.keyType, r.values.key])).toEqual(
      meters.flatMap((d) => d.keys.map((k) => [d.serial, d.manufacturer, d.medium, d.model, d.orderNo, k.keyType, k.key.toString('hex').toUpperCase()])),
    );
  });
});

describe('KEM streaming', () => {
  it('writes 200,000 devices with small memory growth', { timeout: 120_000 }, async () => {
    async function* many(): AsyncIterable<ReturnType<typeof device>> {
      const key = Buffer.alloc(16, 0x5a);
      for (let i = 0; i < 200_000; i++) yield { ...device(String(10_000_000 + i)), keys: [{ keyType: 'DEK', version: 1, key }] };
    }
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    try {
      const { written, path } = await writeTo(dir, { format: 'kem', devices: many(), password: 'pw' });
      expect(written.devices).toBe(200_000);
      await sh('unzip', ['-t', path]);
    } finally {
      clearInterval(timer);
    }
    const growthMb = (peak - before) / 1024 / 1024;
    // The plaintext is about 60 MB and its base64 80 MB; the writer holds a few 64 KiB runs.
    console.info(`KEM of 200,000 devices: RSS grew by ${growthMb.toFixed(1)} MB`);
    expect(growthMb).toBeLessThan(60);
  });
});
