import type { FieldProblem } from '../../../shared/errors.js';

// What a file reader (CSV, KEM, KEM2, bare or in a ZIP) hands the import: one key of one device
// per row, every value still the text the file had. The import validates (device-fields.ts),
// so every format is checked by the same rules and reports problems the same way.

export interface ImportValues {
  serial: string;
  manufacturer: string;
  kind: string;
  medium: string;
  model: string;
  typeNo: string;
  configNo: string;
  orderNo: string;
  deliveryNote: string;
  customerNo: string;
  keyType: string;
  /** Hex as in the file; never logged, never echoed in a problem. */
  key: string;
}

export interface ImportRow {
  /**
   * Where the row is, for people: CSV — the line number (the header is line 1); KEM/KEM2 — the
   * position of the <Meter>/<Device> element, from 1 (several keys of one device share it).
   */
  row: number;
  values: ImportValues;
  /** A problem the reader found already (a CSV line with the wrong number of columns, …). */
  problem?: FieldProblem;
}

export type ImportFormat = 'csv' | 'kem' | 'kem2';

/** An opened import file: rows come one by one, so files of a million rows stay flat in memory. */
export interface ImportSource {
  format: ImportFormat;
  /** Size of the file on disk (the ZIP, where it is one). */
  bytesTotal: number;
  /** Bytes of the file consumed so far (progress). */
  bytesRead(): number;
  rows(): AsyncIterable<ImportRow>;
  close(): Promise<void>;
}

export interface OpenImportOptions {
  /** The KEM/KEM2 password; ignored for CSV. */
  password?: string;
  /**
   * Called once the reader knows what the file is, even if it then fails to open: a KEM envelope
   * (XML Encryption with its CipherValue) is a KEM file whether or not the password opens it.
   * KEM and KEM2 share the envelope, so such a file is `kem` until its content says `kem2`.
   */
  onRecognised?: (format: ImportFormat) => void;
}
