// Public API of the DLMS/COSEM driver: bytes in, typed values and APDUs out (and back). Pure: no
// port, socket, timer or clock.
export { DLMS_ERROR_CODES, DlmsError, isDlmsError, type DlmsErrorCode, type DlmsOffsetIn } from './errors.js';
export { encodeLength, readLength } from './ber.js';
export {
  AXDR_TAG, MAX_DEPTH, decodeData, decodeDateTime, encodeData, encodeDateTime, numberOf,
  type CosemDateTime, type DlmsData, type DlmsDataType,
} from './axdr.js';
export {
  DLMS_UNITS, OBIS_FIELDS, OBIS_NAMES, cosemFields, fieldOfObis, formatObis, normalizeObis, obisField, octetsText, parseObis,
  scaled, tidy, toFieldUnit, valueText, type ObisField,
} from './obis.js';
export {
  GENERAL_GLO_CIPHERING, GLO_TAGS, INVOCATION_COUNTERS_MAX, InvocationCounters, SC_AUTHENTICATED, SC_ENCRYPTED,
  hlsGmac, protect, unprotect, unwrapGeneralGlo, unwrapGlo, wrapGeneralGlo, wrapGlo, type SecurityKeys,
} from './cipher.js';
export * from './hdlc.js';
export {
  createHdlcClient, createHdlcServer,
  type HdlcClient, type HdlcClientOptions, type HdlcLinkState, type HdlcServer, type HdlcServerOptions,
} from './hdlc-link.js';
