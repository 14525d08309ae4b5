import { AppError } from '../../../shared/errors.js';
import { randomBytes } from 'node:crypto';
import { type ExportDevice, type ExportFormat, exportFormats, type WriteExportOptions, type WrittenExport } from './export-format.js';
import { writeCsvMember } from './formats/csv-format.js';
import { type ExportZip, openExportZip } from './formats/export-zip.js';
import { writeJsonMember } from './formats/json-format.js';
import { KemCipherStream, kemKeyOf } from './formats/kem-cipher-stream.js';
import { writeKem2Plaintext, writeKemPlaintext } from './formats/kem-format.js';
import { METER_INFORMATION_XSD, METER_INFORMATION_XSD_NAME } from './formats/kem-xsd.js';
import { openMeterFilesZip } from './formats/meter-files-zip.js';
import { writeWmbusmetersMembers } from './formats/wmbusmeters-format.js';

// writeExport (export-format.ts): one ZIP per download, its members by format, then SHA256SUMS and
// its signature (docs/downloads.md). Checks what it can before the first byte, so a bad request
// sends nothing.

type Counts = Pick<WrittenExport, 'devices' | 'keys' | 'skipped'>;
type FormatWriter = (zip: ExportZip, options: WriteExportOptions, devices: AsyncIterable<ExportDevice>) => Promise<Counts>;

const extensions: Readonly<Record<ExportFormat, string>> = {
  kem: '.kem.zip',
  kem2: '.kem2.zip',
  csv: '.csv.zip',
  wmbusmeters: '.wmbusmeters.zip',
  json: '.json.zip',
};

/** A random 128-bit member name, as Kamstrup names its .kem files; upper-case hex like the keys inside. */
const kemMemberName = (): string => randomBytes(16).toString('hex').toUpperCase();

const writers: Readonly<Record<ExportFormat, FormatWriter>> = {
  csv: async (zip, { fileStem }, devices) => {
    const sink = zip.member(`${fileStem}.csv`);
    const counts = await writeCsvMember(devices, sink);
    await sink.end();
    return counts;
  },
  json: async (zip, { fileStem }, devices) => {
    const sink = zip.member(`${fileStem}.json`);
    const counts = await writeJsonMember(devices, sink);
    await sink.end();
    return counts;
  },
  kem: async (zip, { fileStem, orderId, password }, devices) => {
    const kem = new KemCipherStream(kemKeyOf(password), zip.member(`${kemMemberName()}.kem`));
    await kem.begin();
    const counts = await writeKemPlaintext(devices, orderId ?? fileStem, kem);
    await kem.end();
    const xsd = zip.member(METER_INFORMATION_XSD_NAME);
    await xsd.write(METER_INFORMATION_XSD);
    await xsd.end();
    return counts;
  },
  kem2: async (zip, { fileStem, password }, devices) => {
    const kem2 = new KemCipherStream(kemKeyOf(password), zip.member(`${fileStem}.kem2`));
    await kem2.begin();
    const counts = await writeKem2Plaintext(devices, kem2);
    await kem2.end();
    return counts;
  },
  wmbusmeters: (zip, _options, devices) => writeWmbusmetersMembers(devices, zip),
};

/** What must hold before the first byte: a known format, and for KEM/KEM2 a password of 1–16 bytes. */
export function checkExportOptions(options: Pick<WriteExportOptions, 'format' | 'password'>): void {
  if (!(exportFormats as readonly string[]).includes(options.format)) {
    throw new AppError('validation_failed', 'The format is not one of kem, kem2, csv, wmbusmeters, json.', { details: [{ field: 'format', reason: 'is not a known format' }] });
  }
  if (options.format === 'kem' || options.format === 'kem2') kemKeyOf(options.password);
}

/** The download's file name for a format: the stem and the format's extension. */
export function exportFileName(format: ExportFormat, fileStem: string): string {
  return fileStem + extensions[format];
}

/**
 * Writes one download into `options.out` and ends it. A bad format or KEM password is refused
 * (400 `validation_failed` naming the field) before anything is written, leaving `out` untouched
 * so the caller can still answer with the error; `checkExportOptions` makes the same check ahead.
 * A failure later (a device source that throws, a client gone) destroys `out`: a broken download,
 * never a short one that looks whole.
 */
export async function writeExport(options: WriteExportOptions): Promise<WrittenExport> {
  checkExportOptions(options);
  const writer = writers[options.format];
  // One member per meter: archiver, linear in the member count (yazl's member search is quadratic).
  const zip = options.format === 'wmbusmeters' ? openMeterFilesZip(options.out, options.signer) : openExportZip(options.out, options.signer);
  let counts: Counts;
  try {
    counts = await writer(zip, options, options.devices);
    await zip.finish();
  } catch (err) {
    zip.abort(err);
    throw err;
  }
  return { ...counts, fileName: exportFileName(options.format, options.fileStem), contentType: 'application/zip' };
}
