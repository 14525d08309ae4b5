import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { kamstrupSampleKem } from '../../../../../test/fixtures/fixture-files.js';
import { kemFileWithOuterDoctype, meterXml, testKey, writeLargeKem } from '../../../../../test/fixtures/imports/kem-files.js';
import { allRows, appErrorOf, openHandles, tempDir } from '../../../../../test/fixtures/imports/reader-files.js';
import { openImportFile } from './index.js';

const SAMPLE = kamstrupSampleKem.path;
const PASSWORD = kamstrupSampleKem.password;
const KEM_NAME = '0f1e2d3c4b5a69788796a5b4c3d2e1f0.kem';
const XSD = '<?xml version="1.0" encoding="utf-8"?><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => dir.remove());

type Member = [name: string, data: Buffer | string, options?: { compress?: boolean }];

async function writeZip(name: string, members: Member[], dirs: string[] = []): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const d of dirs) zip.addEmptyDirectory(d);
  for (const [member, data, options] of members) zip.addBuffer(Buffer.from(data), member, { compress: options?.compress ?? true });
  const path = dir.path(name);
  const out = zip.outputStream.pipe(createWriteStream(path));
  zip.end();
  await once(out, 'close');
  return path;
}

const sample = () => readFile(SAMPLE);

describe('KEM files in their ZIP', () => {
  it('imports the sample from a ZIP, deflated or stored', async () => {
    for (const compress of [true, false]) {
      const path = await writeZip(`k${compress}.zip`, [[KEM_NAME, await sample(), { compress }], ['meter_information_file.xsd', XSD]]);
      const source = await openImportFile(path, { password: PASSWORD });
      expect(source.format).toBe('kem');
      const rows = await allRows(source);
      expect(rows.map((r) => [r.row, r.values.serial, r.values.key, r.values.model])).toEqual([
        [1, '63941885', 'C0938B9F2CA9672BCD0013FA6AC75F6E', 'MULTICAL 21'],
        [2, '63941886', '546D2C38D51B2C7A79DF78A89EB43068', 'MULTICAL 21'],
      ]);
      expect(source.bytesRead()).toBe(source.bytesTotal);
      expect(await openHandles(path)).toBe(0);
    }
  });

  it('refuses a KEM member whose XML declares a DOCTYPE (issue 11, item 11)', async () => {
    const kem = kemFileWithOuterDoctype(`<MetersInOrder orderid="1" schemaVersion="2.0">${meterXml('12345678', testKey(1))}</MetersInOrder>`, 'pw');
    for (const compress of [true, false]) {
      const path = await writeZip(`doctype${compress}.zip`, [[KEM_NAME, kem, { compress }], ['meter_information_file.xsd', XSD]]);
      const err = await appErrorOf(async () => allRows(await openImportFile(path, { password: 'pw' })));
      expect(err.code).toBe('file_unreadable');
      expect(err.details).toEqual([{ field: 'xml', code: 'xml_doctype', reason: 'a DOCTYPE declaration (KEM files have none)', offset: '<?xml version="1.0" encoding="utf-8"?>'.length }]);
      expect(await openHandles(path)).toBe(0);
    }
  });

  it('refuses a wrong password', async () => {
    const path = await writeZip('k.zip', [['meter_information_file.xsd', XSD], [KEM_NAME, await sample()]]);
    const err = await appErrorOf(() => openImportFile(path, { password: 'nope' }));
    expect(err.code).toBe('kem_password_wrong');
    expect(await openHandles(path)).toBe(0);
  });

  it('names an extra member, a missing xsd, a second KEM file and directories', async () => {
    const unexpected = (name: string) => ({ code: 'zip_unexpected_member', params: { name }, reason: `unexpected member "${name}"` });
    const noKem = { code: 'zip_missing_kem', reason: 'missing member *.kem or *.kem2' };
    const noXsd = { code: 'zip_missing_xsd', params: { name: 'meter_information_file.xsd' }, reason: 'missing member meter_information_file.xsd' };
    const cases: [Member[], string[], object[]][] = [
      [[[KEM_NAME, await sample()], ['meter_information_file.xsd', XSD], ['readme.txt', 'hi']], [], [unexpected('readme.txt')]],
      [[[KEM_NAME, await sample()]], [], [noXsd]],
      [[['a.kem', await sample()], ['b.kem2', await sample()], ['meter_information_file.xsd', XSD]], [], [unexpected('b.kem2')]],
      [[['meter_information_file.xsd', XSD]], ['keys/'], [unexpected('keys/'), noKem]],
      [[['keys/x.kem', await sample()], ['meter_information_file.xsd', XSD]], [], [unexpected('keys/x.kem'), noKem]],
    ];
    for (const [members, dirs, problems] of cases) {
      const path = await writeZip('bad.zip', members, dirs);
      const err = await appErrorOf(() => openImportFile(path, { password: PASSWORD }));
      expect(err.code).toBe('file_unreadable');
      expect(err.message).toBe('The ZIP file does not hold what a KEM ZIP holds (one .kem or .kem2 file and meter_information_file.xsd).');
      expect(err.details).toEqual(problems.map((problem) => ({ field: 'zip', ...problem })));
      expect(await openHandles(path)).toBe(0);
    }
  });

  it('refuses a member whose declared size does not fit its data (a zip bomb)', async () => {
    const path = await writeZip('bomb.zip', [[KEM_NAME, 'A'.repeat(200_000)], ['meter_information_file.xsd', XSD]]);
    const bytes = await readFile(path);
    // Shrink the declared compressed size in the central directory to 20 bytes.
    const central = bytes.indexOf(Buffer.from('PK\x01\x02', 'latin1'));
    bytes.writeUInt32LE(20, central + 20);
    const err = await appErrorOf(async () => openImportFile(await dir.write('bomb2.zip', bytes), { password: PASSWORD }));
    expect(err.code).toBe('file_unreadable');
    expect(err.details).toEqual([{ field: 'zip', code: 'zip_member_sizes', params: { name: KEM_NAME }, reason: `the member "${KEM_NAME}" declares sizes that do not fit together` }]);
  });

  it('refuses a damaged member (CRC-32) and a damaged ZIP', async () => {
    const path = await writeZip('k.zip', [[KEM_NAME, await sample(), { compress: false }], ['meter_information_file.xsd', XSD]]);
    const bytes = await readFile(path);
    const at = bytes.indexOf(Buffer.from('<CipherValue>', 'latin1')) + 20;
    bytes[at] = (bytes[at] ?? 0) ^ 0x01; // still base64: only the CRC can tell
    const crc = await appErrorOf(async () => allRows(await openImportFile(await dir.write('crc.zip', bytes), { password: PASSWORD })));
    expect(crc.code).toBe('file_unreadable');
    expect(crc.details).toEqual([{ field: 'zip', code: 'zip_member_crc', reason: 'the KEM member fails its CRC-32 check' }]);

    const cut = await appErrorOf(async () => openImportFile(await dir.write('cut.zip', bytes.subarray(0, 300)), { password: PASSWORD }));
    expect(cut.code).toBe('file_unreadable');
    expect(cut.details).toEqual([{ field: 'zip', code: 'zip_damaged', reason: 'the ZIP file is damaged' }]);
  });

  it('streams a large member and closes the ZIP when the consumer stops early', async () => {
    const kem = dir.path('large.kem');
    await writeLargeKem(kem, 20_000, 'large-pass');
    const path = await writeZip('large.zip', [[KEM_NAME, await readFile(kem)], ['meter_information_file.xsd', XSD]]);
    const source = await openImportFile(path, { password: 'large-pass' });
    for await (const row of source.rows()) {
      expect(row.values.serial).toBe('10000000');
      expect(source.bytesRead()).toBeLessThan(source.bytesTotal);
      break;
    }
    expect(await openHandles(path)).toBe(0);
  }, 120_000);
});
