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
export {
  AARE, AARQ, ACTION_REQUEST, ACTION_RESPONSE, ACTION_RESULTS, CONFIRMED_SERVICE_ERROR, DATA_ACCESS_RESULTS, DATA_NOTIFICATION,
  DEFAULT_CONFORMANCE, DEFAULT_MAX_PDU, EXCEPTION_RESPONSE, GET_REQUEST, GET_RESPONSE, INITIATE_REQUEST, INITIATE_RESPONSE, MECHANISMS,
  REPLY_TO_HLS, RLRE, RLRQ,
  accessError, decodeAare, decodeAarq, decodeActionRequest, decodeActionResponse, decodeDataNotification, decodeExceptionResponse,
  decodeGetRequest, decodeGetResponse, decodeInitiateRequest, decodeInitiateResponse, decodeRlre, decodeRlrq, encodeAare, encodeAarq,
  encodeActionRequestNormal, encodeActionResponseNormal, encodeDataNotification, encodeExceptionResponse, encodeGetRequestNext,
  encodeGetRequestNormal, encodeGetResponseBlock, encodeGetResponseNormal, encodeInitiateRequest, encodeInitiateResponse, encodeRlre,
  encodeRlrq, isAccessError,
  type AccessError, type ActionResponse, type AssociationResult, type AttributeDescriptor, type Authentication, type DataNotification,
  type DecodedAare, type DecodedAarq, type GetRequest, type GetResponse, type Mechanism, type MethodDescriptor,
} from './apdu.js';
export * from './hdlc.js';
export {
  createHdlcClient, createHdlcServer,
  type HdlcClient, type HdlcClientOptions, type HdlcLinkState, type HdlcServer, type HdlcServerOptions,
} from './hdlc-link.js';
export { PUSH_MAX_APDU, PUSH_MAX_SOURCES, createPushReader, meterOfSystemTitle, type KeysForTitle, type PushOutcome, type PushReader, type PushVerification } from './notification.js';
export { pushObjects, type PushObjects } from './push-objects.js';
export { createDlmsClient, type DlmsClient, type DlmsClientOptions, type Exchange, type RegisterObject } from './client.js';
export { DlmsAccessRefused } from './access-refused.js';
