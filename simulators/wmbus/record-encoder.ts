import { crc16En13757 } from '../../drivers/wmbus/crc.js';

// EN 13757-3 data records, the other way round: the few shapes the simulated meters send.
// Integers are little-endian two's complement, as the DIF data field codes 1–4 and 6 say.

export interface RecordSpec {
  /** DIF without storage/function bits beyond what `storage` and `fn` add. */
  bytes: 1 | 2 | 4;
  /** VIF, with any VIFE bytes after it. */
  vif: readonly number[];
  value: number;
  /** Storage number 0 or 1 (more would need a DIFE). */
  storage?: 0 | 1;
  /** 0 instantaneous, 1 maximum, 2 minimum. */
  fn?: 0 | 1 | 2;
}

const DATA_FIELD: Readonly<Record<RecordSpec['bytes'], number>> = { 1: 0x01, 2: 0x02, 4: 0x04 };

export function encodeRecord(r: RecordSpec): Buffer {
  const dif = DATA_FIELD[r.bytes] | ((r.storage ?? 0) << 6) | ((r.fn ?? 0) << 4);
  const data = Buffer.alloc(r.bytes);
  const v = Math.round(r.value);
  if (r.bytes === 1) data.writeInt8(v);
  else if (r.bytes === 2) data.writeInt16LE(v);
  else data.writeInt32LE(v);
  return Buffer.concat([Buffer.from([dif, ...r.vif]), data]);
}

export function encodeRecords(records: readonly RecordSpec[]): Buffer {
  return Buffer.concat(records.map(encodeRecord));
}

const headerOf = (r: RecordSpec): Buffer => Buffer.from([DATA_FIELD[r.bytes] | ((r.storage ?? 0) << 6) | ((r.fn ?? 0) << 4), ...r.vif]);

/**
 * The same records as a compact frame's body (after CI 0x79): format signature (CRC over the record
 * headers, LE), CRC of the full frame's records (LE), then only the data bytes.
 */
export function encodeCompactRecords(records: readonly RecordSpec[]): Buffer {
  const full = encodeRecords(records);
  const head = Buffer.alloc(4);
  head.writeUInt16LE(crc16En13757(Buffer.concat(records.map(headerOf))), 0);
  head.writeUInt16LE(crc16En13757(full), 2);
  return Buffer.concat([head, ...records.map((r) => encodeRecord(r).subarray(headerOf(r).length))]);
}

/** Common VIFs (EN 13757-3 table 10). */
export const VIF = {
  volumeLitre: [0x13],
  volume10Litre: [0x14],
  energyKwh: [0x06],
  flowTempC: [0x5b],
  flowTemp001C: [0x59],
  returnTemp001C: [0x5d],
  externalTempC: [0x67],
  /** Kamstrup's info codes: manufacturer-specific VIF 0xFF, VIFE 0x20. */
  kamstrupInfo: [0xff, 0x20],
} as const;
