// Public API of the wM-Bus driver: bytes in, typed telegrams and records out (and frames back).
export { WMBUS_ERROR_CODES, WmbusError, isWmbusError, type WmbusErrorCode } from './errors.js';
export { crc16En13757 } from './crc.js';
export { manufacturerFromCode, manufacturerToCode } from './manufacturer.js';
export {
  buildFrame, parseLinkHeader, stripFormatA, stripFormatB, toStripped,
  type CrcOption, type FrameFormat, type LinkHeader, type MeterAddress,
} from './link-layer.js';
export { parseEll, type EllHeader } from './ell.js';
export { parseAfl, type AflHeader } from './afl.js';
export { aesCmac } from './cmac.js';
export { deriveMode7Key, parseTplHeader, type TplHeader } from './tpl.js';
export { decodeTelegram, tryReversedKey, type DecodeOptions, type DecodedTelegram, type KeyCheck } from './decode-telegram.js';
export { parseRecords, type DataRecord, type RecordFunction } from './records.js';
export { recordsOf } from './records-of.js';
export { decodeMeter, detectDriver, METER_DRIVERS, type MeterReading } from './meters/registry.js';
export { KNOWN_FORMATS, knownFormatHeaders, type KnownFormat } from './meters/known-formats.js';
export { FormatCache, meterRecords, type MeterRecords } from './meters/compact.js';
export type { FieldValue, Fields } from './meters/fields.js';
export {
  PIPELINE_MAX_METERS, createTelegramPipeline, mediaOf,
  type KeysFor, type MeterIdentity, type TelegramOutcome, type TelegramPipeline, type Verification,
} from './pipeline.js';
