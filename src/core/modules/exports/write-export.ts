import { AppError } from '../../../shared/errors.js';
import type { ExportDevice, ExportFormat, WriteExportOptions, WrittenExport } from './export-format.js';
import { writeCsvMember } from './formats/csv-format.js';
import { type ExportZip, openExportZip } from './formats/export-zip.js';

// writeExport (export-format.ts): one ZIP per download, its members by format, then SHA256SUMS and
// its signature (docs/downloads.md). Checks what it can before the first byte, so a bad request
// sends nothing.

type Counts = { devices: number; keys: number; skipped?: number };
type FormatWriter = (zip: ExportZip, options: WriteExportOptions, devices: AsyncIterable<ExportDevice>) => Promise<Counts>;

const extensions: Readonly<Record<ExportFormat, string>> = {
  kem: '.kem.zip',
  kem2: '.kem2.zip',
  csv: '.csv.zip',
  wmbusmeters: '.wmbusmeters.zip',
  json: '.json.zip',
};

const writers: Partial<Record<ExportFormat, FormatWriter>> = {
  csv: async (zip, { fileStem }, devices) => {
    const sink = zip.member(`${fileStem}.csv`);
    const counts = await writeCsvMember(devices, sink);
    await sink.end();
    return counts;
  },
};

/** The download's file name for a format: the stem and the format's extension. */
export function exportFileName(format: ExportFormat, fileStem: string): string {
  return fileStem + extensions[format];
}

export async function writeExport(options: WriteExportOptions): Promise<WrittenExport & { skipped?: number }> {
  const writer = writers[options.format];
  if (writer === undefined) throw new AppError('validation_failed', `The format ${options.format} is not known.`, { details: [{ field: 'format', reason: 'is not a known format' }] });
  const zip = openExportZip(options.out, options.signer);
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
