// The xDLMS APDUs: association (acse.ts), GET / ACTION / ExceptionResponse (xdlms.ts) and the
// DataNotification (notification-apdu.ts), both directions.
export {
  AARE, AARQ, CONFIRMED_SERVICE_ERROR, DEFAULT_CONFORMANCE, DEFAULT_MAX_PDU, INITIATE_REQUEST, INITIATE_RESPONSE, MECHANISMS, RLRE, RLRQ,
  decodeAare, decodeAarq, decodeInitiateRequest, decodeInitiateResponse, decodeRlre, decodeRlrq,
  encodeAare, encodeAarq, encodeInitiateRequest, encodeInitiateResponse, encodeRlre, encodeRlrq,
  type AssociationResult, type Authentication, type DecodedAare, type DecodedAarq, type Mechanism,
} from './acse.js';
export {
  ACTION_REQUEST, ACTION_RESPONSE, ACTION_RESULTS, DATA_ACCESS_RESULTS, EXCEPTION_RESPONSE, GET_REQUEST, GET_RESPONSE, REPLY_TO_HLS,
  accessError, decodeActionRequest, decodeActionResponse, decodeExceptionResponse, decodeGetRequest, decodeGetResponse,
  encodeActionRequestNormal, encodeActionResponseNormal, encodeExceptionResponse, encodeGetRequestNext, encodeGetRequestNormal,
  encodeGetResponseBlock, encodeGetResponseNormal, isAccessError,
  type AccessError, type ActionResponse, type AttributeDescriptor, type GetRequest, type GetResponse, type MethodDescriptor,
} from './xdlms.js';
export { DATA_NOTIFICATION, decodeDataNotification, encodeDataNotification, type DataNotification } from './notification-apdu.js';
