import { readFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kamstrupSampleKem } from '../../../../../test/fixtures/fixture-files.js';
import { KEM_HEAD, KEM_TAIL, hostileDoctype, kemFile, kemFileWithOuterDoctype, meterXml, testKey, writeLargeKem } from '../../../../../test/fixtures/imports/kem-files.js';
import { allRows, appErrorOf, openHandles, tempDir } from '../../../../../test/fixtures/imports/reader-files.js';
import { openImportFile } from './index.js';

const SAMPLE = kamstrupSampleKem.path;
const PASSWORD = kamstrupSampleKem.password;

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

const sampleMeter = {
  manufacturer: 'KAM',
  kind: 'meter',
  medium: 'water-cold',
  model: 'MULTICAL 21',
  typeNo: '02146C0G8RK',
  configNo: '0100200013933',
  orderNo: '20542729  1',
  deliveryNote: '',
  customerNo: '',
  keyType: 'DEK',
};

/** Opens and reads a whole file: a small file fails at the open, a large one on the way. */
const readAll = async (path: string, password: string) => allRows(await openImportFile(path, { password }));

/** The sample with its text changed by `edit`, as a file in the test's directory. */
async function editedSample(edit: (text: string, cipherStart: number) => string): Promise<string> {
  const text = (await readFile(SAMPLE)).toString('latin1');
  return dir.write('edited.kem', Buffer.from(edit(text, text.indexOf('<CipherValue>') + 13), 'latin1'));
}

describe('the real Kamstrup KEM file', () => {
  it('gives its two meters with their keys, model, medium and numbers', async () => {
    const source = await openImportFile(SAMPLE, { password: PASSWORD });
    expect(source.format).toBe('kem');
    expect(source.bytesTotal).toBe(1207);
    expect(await allRows(source)).toEqual([
      { row: 1, values: { ...sampleMeter, serial: '63941885', key: 'C0938B9F2CA9672BCD0013FA6AC75F6E' } },
      { row: 2, values: { ...sampleMeter, serial: '63941886', key: '546D2C38D51B2C7A79DF78A89EB43068' } },
    ]);
    expect(source.bytesRead()).toBe(1207);
    expect(await openHandles(SAMPLE)).toBe(0);
  });

  it('refuses a wrong password at the first block, without reading on', async () => {
    const err = await appErrorOf(() => openImportFile(SAMPLE, { password: '0450284X' }));
    expect(err.code).toBe('kem_password_wrong');
    expect(err.message).toBe('The password does not open this KEM file.');
    expect(await openHandles(SAMPLE)).toBe(0);
  });

  it('says it is a KEM file as soon as the envelope is read, whether or not the password opens it', async () => {
    const seen: string[] = [];
    const onRecognised = (format: string) => seen.push(format);
    await appErrorOf(() => openImportFile(SAMPLE, { password: '0450284X', onRecognised }));
    await appErrorOf(() => openImportFile(SAMPLE, { onRecognised }));
    expect(seen).toEqual(['kem', 'kem']);
    // A KEM2 file is `kem` until its content says otherwise; its source then says `kem2`.
    const kem2 = await dir.write('own.kem2', kemFile(`<Devices schemaVersion="1.0"></Devices>`, 'kem2-pass'));
    const source = await openImportFile(kem2, { password: 'kem2-pass', onRecognised });
    expect(source.format).toBe('kem2');
    await source.close();
    expect(seen).toEqual(['kem', 'kem', 'kem']);
    // XML that is no KEM envelope is not recognised.
    await appErrorOf(async () => openImportFile(await dir.write('other.xml', '<root/>'), { password: 'x', onRecognised }));
    expect(seen).toEqual(['kem', 'kem', 'kem']);
  });

  it('asks for the password when none is given', async () => {
    for (const password of [undefined, '']) {
      const err = await appErrorOf(() => openImportFile(SAMPLE, password === undefined ? {} : { password }));
      expect(err.code).toBe('kem_password_wrong');
      expect(err.message).toBe('This KEM file needs its password.');
    }
  });

  it('refuses a password over 16 UTF-8 bytes, saying why', async () => {
    const err = await appErrorOf(() => openImportFile(SAMPLE, { password: 'ääääääääX' })); // 17 bytes, 9 characters
    expect(err.code).toBe('kem_password_wrong');
    expect(err.message).toBe('KEM passwords are at most 16 bytes; this one is longer, so it cannot open the file.');
  });

  it('names the offset of a character that is not base64', async () => {
    let at = 0;
    const path = await editedSample((text, start) => {
      at = start + 100;
      return `${text.slice(0, at)}*${text.slice(at + 1)}`;
    });
    const err = await appErrorOf(() => openImportFile(path, { password: PASSWORD }));
    expect(err.code).toBe('file_unreadable');
    expect(err.details).toEqual([{ field: 'CipherValue', code: 'base64_character', reason: 'a character that is not base64', offset: at }]);
  });

  it('finds base64 cut short at the end of the CipherValue', async () => {
    let end = 0;
    const path = await editedSample((text) => {
      end = text.indexOf('</CipherValue>') - 1;
      return text.slice(0, end) + text.slice(end + 1);
    });
    const err = await appErrorOf(() => readAll(path, PASSWORD));
    expect(err.code).toBe('file_unreadable');
    expect(err.details).toEqual([{ field: 'CipherValue', code: 'base64_cut_short', reason: 'the base64 text is cut short (its length is not a multiple of 4)', offset: end }]);
    expect(await openHandles(path)).toBe(0);
  });

  it('reports damaged ciphertext in the middle as unreadable content, quoting none of it', async () => {
    const path = await editedSample((text, start) => {
      const at = start + 400;
      return `${text.slice(0, at)}${text[at] === 'A' ? 'B' : 'A'}${text.slice(at + 1)}`;
    });
    const err = await appErrorOf(() => readAll(path, PASSWORD));
    expect(err.code).toBe('file_unreadable');
    expect(err.details).toEqual([{ field: 'encoding', code: 'not_utf8', params: { offset: 289 }, reason: 'not UTF-8 at byte 289', offset: 289 }]);
    expect(err.message).not.toMatch(/[0-9A-F]{16}/);
  });

  it('reports a whole ciphertext block missing (not a multiple of 16 bytes)', async () => {
    const ct = Buffer.from(kemFile('<MetersInOrder orderid="1" schemaVersion="2.0"></MetersInOrder>', 'pw').toString('latin1').slice(KEM_HEAD.length, -KEM_TAIL.length), 'base64');
    const path = await dir.write('short.kem', KEM_HEAD + ct.subarray(0, 40).toString('base64') + KEM_TAIL);
    const err = await appErrorOf(() => readAll(path, 'pw'));
    expect(err.code).toBe('file_unreadable');
    expect(err.details).toEqual([{ field: 'CipherValue', code: 'cipher_length', params: { bytes: 40 }, reason: 'a ciphertext of 40 bytes, not a multiple of 16', offset: KEM_HEAD.length + 56 }]);
  });
});

describe('KEM files openeks builds', () => {
  it('takes a password of exactly 16 bytes, a BOM, and keys of several types', async () => {
    const plain = `<MetersInOrder orderid=" 77  1 " schemaVersion="2.0">${meterXml('12345678', testKey(1), `<GPK1>${testKey(2)}</GPK1>`)}<Meter><MeterNo>87654321</MeterNo><SerialNo></SerialNo><EncKeys><DEK>${testKey(3)}</DEK></EncKeys><MeterName>MC603</MeterName><ConsumptionType>HeatCooling</ConsumptionType><VendorId></VendorId></Meter></MetersInOrder>`;
    const path = await dir.write('own.kem', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), kemFile(plain, '0123456789abcdef')]));
    const rows = await allRows(await openImportFile(path, { password: '0123456789abcdef' }));
    expect(rows.map((r) => [r.row, r.values.serial, r.values.keyType, r.values.key, r.values.model, r.values.medium, r.values.orderNo, r.values.manufacturer])).toEqual([
      [1, '12345678', 'DEK', testKey(1), 'MULTICAL 21', 'water-cold', '77  1', 'KAM'],
      [1, '12345678', 'GPK1', testKey(2), 'MULTICAL 21', 'water-cold', '77  1', 'KAM'],
      [2, '87654321', 'DEK', testKey(3), 'MULTICAL 603', 'heat', '77  1', 'KAM'],
    ]);
    expect(rows[2]?.values.typeNo).toBe('');
  });

  it('lists a meter without keys as a problem row', async () => {
    const path = await dir.write('nokeys.kem', kemFile('<MetersInOrder orderid="1" schemaVersion="2.0"><Meter><SerialNo>12345678</SerialNo><EncKeys></EncKeys></Meter></MetersInOrder>', 'pw'));
    const rows = await allRows(await openImportFile(path, { password: 'pw' }));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.problem).toEqual({ row: 1, field: 'EncKeys', code: 'no_keys', reason: 'the device has no keys' });
    expect(rows[0]?.values.serial).toBe('12345678');
  });

  it('names the offset of malformed decrypted XML and quotes nothing of it', async () => {
    const plain = `<MetersInOrder orderid="1" schemaVersion="2.0"><Meter><SerialNo>${testKey(9)}</Meter></MetersInOrder>`;
    const path = await dir.write('bad.kem', kemFile(plain, 'pw'));
    const err = await appErrorOf(() => readAll(path, 'pw'));
    expect(err.code).toBe('file_unreadable');
    expect(err.details).toEqual([{ field: 'content', code: 'content_malformed', reason: 'the decrypted XML is malformed', offset: plain.indexOf('</Meter>') + 8 }]);
    expect(err.message).not.toContain(testKey(9));
  });

  it('reads KEM2 devices with two keys each', async () => {
    const device = (serial: string, a: string, b: string) =>
      `<Device><OrderNumber>5100123</OrderNumber><SerialNumber>${serial}</SerialNumber><CustomerDeviceNumber>X-1</CustomerDeviceNumber><ShortName>flowIQ2200</ShortName><ConsumptionTypeName>VolumeHot</ConsumptionTypeName><ManufacturerId>KAM</ManufacturerId><ConfigNumber>C1</ConfigNumber><TypeNumber>T1</TypeNumber><Keys><Key><Name>DEK</Name><Value>${a}</Value></Key><Key><Name>GPK1</Name><Value>${b}</Value></Key></Keys></Device>`;
    const plain = `<Devices schemaVersion="1.0">${device('11111111', testKey(1), testKey(2))}${device('22222222', testKey(3), testKey(4))}</Devices>`;
    const path = await dir.write('own.kem2', kemFile(plain, 'kem2-pass'));
    const source = await openImportFile(path, { password: 'kem2-pass' });
    expect(source.format).toBe('kem2');
    const common = { manufacturer: 'KAM', kind: 'meter', medium: 'water-warm', model: 'flowIQ 2200', typeNo: 'T1', configNo: 'C1', orderNo: '5100123', deliveryNote: '', customerNo: '' };
    expect(await allRows(source)).toEqual([
      { row: 1, values: { ...common, serial: '11111111', keyType: 'DEK', key: testKey(1) } },
      { row: 1, values: { ...common, serial: '11111111', keyType: 'GPK1', key: testKey(2) } },
      { row: 2, values: { ...common, serial: '22222222', keyType: 'DEK', key: testKey(3) } },
      { row: 2, values: { ...common, serial: '22222222', keyType: 'GPK1', key: testKey(4) } },
    ]);
  });

  it('refuses XML that is not XML Encryption, and XML that is not well-formed', async () => {
    const other = await appErrorOf(async () => openImportFile(await dir.write('a.xml', '<?xml version="1.0"?><Meters><Meter/></Meters>')));
    expect(other.code).toBe('file_unreadable');
    expect(other.details).toEqual([{ field: 'xml', code: 'kem_root', reason: "its root element is not XML Encryption's EncryptedData" }]);
    const aes256 = await appErrorOf(async () => openImportFile(await dir.write('c.kem', KEM_HEAD.replace('aes128-cbc', 'aes256-cbc') + 'AAAA' + KEM_TAIL), { password: 'pw' }));
    expect(aes256.details).toEqual([{ field: 'xml', code: 'kem_algorithm', reason: 'it is not encrypted with AES-128-CBC' }]);
    const empty = await appErrorOf(async () => openImportFile(await dir.write('d.kem', '<EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#"><CipherData/></EncryptedData>')));
    expect(empty.details).toEqual([{ field: 'xml', code: 'kem_no_cipher_value', reason: 'the file has no CipherValue' }]);
    // The offset is where the parser noticed: the end of the close tag that does not match.
    const text = '<EncryptedData xmlns="http://www.w3.org/2001/04/xmlenc#"><CipherData></EncryptedData>';
    const broken = await appErrorOf(async () => openImportFile(await dir.write('b.xml', text)));
    expect(broken.details).toEqual([{ field: 'xml', code: 'xml_malformed', reason: 'not well-formed XML', offset: text.length }]);
  });
});

describe('DOCTYPE declarations (issue 11, item 11)', () => {
  const plain = `<MetersInOrder orderid="1" schemaVersion="2.0">${meterXml('12345678', testKey(1))}</MetersInOrder>`;
  const declaration = '<?xml version="1.0" encoding="utf-8"?>';

  it('refuses a DOCTYPE in the outer XML, with external and billion-laughs entities it never uses, naming its offset', async () => {
    const path = await dir.write('doctype.kem', kemFileWithOuterDoctype(plain, 'pw'));
    const err = await appErrorOf(() => readAll(path, 'pw'));
    expect(err.code).toBe('file_unreadable');
    expect(err.details).toEqual([{ field: 'xml', code: 'xml_doctype', reason: 'a DOCTYPE declaration (KEM files have none)', offset: declaration.length }]);
    expect(err.message).toBe(`The file declares a DOCTYPE at byte ${declaration.length}; KEM files have none, and openeks reads no DTD. Expected a CSV file, a KEM or KEM2 file, or a ZIP holding one.`);
    expect(await openHandles(path)).toBe(0);
  });

  it('refuses the plainest DOCTYPE too, after a BOM, and counts the BOM in the offset', async () => {
    const file = kemFileWithOuterDoctype(plain, 'pw', '<!DOCTYPE EncryptedData>');
    const path = await dir.write('plain-doctype.kem', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), file]));
    const err = await appErrorOf(() => readAll(path, 'pw'));
    expect(err.details).toEqual([{ field: 'xml', code: 'xml_doctype', reason: 'a DOCTYPE declaration (KEM files have none)', offset: 3 + declaration.length }]);
  });

  it('refuses a DOCTYPE in the decrypted KEM and KEM2 content, naming its offset there', async () => {
    const cases = [
      ['kem', '<MetersInOrder orderid="1" schemaVersion="2.0">', `${meterXml('12345678', testKey(1))}</MetersInOrder>`],
      ['kem2', '<Devices schemaVersion="1.0">', '</Devices>'],
    ] as const;
    for (const [format, root, rest] of cases) {
      const path = await dir.write(`inner.${format}`, kemFile(root + hostileDoctype('x') + rest, 'pw'));
      const err = await appErrorOf(() => readAll(path, 'pw'));
      expect({ format, code: err.code, details: err.details }).toEqual({
        format,
        code: 'file_unreadable',
        details: [{ field: 'content', code: 'xml_doctype', reason: 'a DOCTYPE declaration (KEM files have none)', offset: root.length }],
      });
      expect(err.message).toBe(`The KEM file's content is not valid: a DOCTYPE declaration (KEM files have none) (at byte ${root.length} of the decrypted content).`);
    }
  });
});

// Large files: generous time limits, since CI machines are shared.
describe('streaming a large KEM file', () => {
  it('yields rows before the file is read, and all 50,000 meters', async () => {
    const path = dir.path('large.kem');
    await writeLargeKem(path, 50_000, 'large-pass');
    const source = await openImportFile(path, { password: 'large-pass' });
    let n = 0;
    let readAtFirst = -1;
    let last = '';
    for await (const row of source.rows()) {
      if (n === 0) readAtFirst = source.bytesRead();
      n++;
      last = row.values.serial;
    }
    expect(n).toBe(50_000);
    expect(last).toBe('10049999');
    expect(source.bytesTotal).toBeGreaterThan(15_000_000);
    expect(readAtFirst).toBeGreaterThan(0);
    expect(readAtFirst).toBeLessThan(source.bytesTotal / 4);
    expect(source.bytesRead()).toBe(source.bytesTotal);
  }, 120_000);

  it('closes the file when the consumer stops early', async () => {
    const path = dir.path('large.kem');
    await writeLargeKem(path, 20_000, 'large-pass');
    const source = await openImportFile(path, { password: 'large-pass' });
    expect(await openHandles(path)).toBe(1);
    for await (const row of source.rows()) {
      expect(row.row).toBe(1);
      break;
    }
    expect(await openHandles(path)).toBe(0);
  }, 120_000);
});
