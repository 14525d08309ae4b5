import type { Writable } from 'node:stream';
import type { KeyType } from '../../../shared/inventory/device-fields.js';

// The seam between the export service (which devices and keys leave, audited per device before
// they leave; export-service.ts) and the format writers (how they are written; formats/). The
// writers see only plaintext rows handed to them in order and never touch the database, the vault
// or the audit trail, so each format is tested with rows alone (docs/downloads.md).

export const exportFormats = ['kem', 'kem2', 'csv', 'wmbusmeters', 'json'] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** One active key version of a device, decrypted. */
export interface ExportKey {
  keyType: KeyType;
  version: number;
  key: Buffer;
}

/** A device as it leaves: its inventory fields and its active keys (DEK first, then by key type). */
export interface ExportDevice {
  id: string;
  serial: string;
  manufacturer: string;
  kind: 'meter' | 'concentrator';
  medium: string;
  model: string | null;
  typeNo: string | null;
  configNo: string | null;
  orderNo: string | null;
  deliveryNote: string | null;
  customerNo: string | null;
  driverHint: string | null;
  keys: ExportKey[];
}

/** Signs with the service's Ed25519 key (signing-key.ts); the public key is at /.well-known/openeks-signing-key. */
export interface Signer {
  /** Detached Ed25519 signature (64 bytes) over exactly these bytes. */
  sign(data: Buffer): Buffer;
  /** SPKI PEM of the public key. */
  publicKeyPem: string;
}

export interface WriteExportOptions {
  format: ExportFormat;
  /** KEM and KEM2 only: 1–16 bytes of UTF-8, the AES key and IV (docs/product.md "KEM"). */
  password?: string;
  /** The devices in the order they are written; pulled one at a time, so memory stays flat. */
  devices: AsyncIterable<ExportDevice>;
  /** Where the download's bytes go (an HTTP response, a file). The writer ends it. */
  out: Writable;
  signer: Signer;
  /** The file name without extension, e.g. `openeks-acme-2026-12-03-1000`; names the members inside the ZIP. */
  fileStem: string;
  /** KEM `orderid` attribute; defaults to the file stem. */
  orderId?: string;
}

export interface WrittenExport {
  devices: number;
  keys: number;
  /** The download's file name (the stem plus its extension, e.g. `.kem.zip`, `.csv.zip`). */
  fileName: string;
  /** What the bytes are: `application/zip` for every format (the signature travels inside it). */
  contentType: string;
  /** wmbusmeters only: devices handed in that got no meter file (no 16-byte DEK, or no 8-digit wM-Bus id). */
  skipped?: number;
}
