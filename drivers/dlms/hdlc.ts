// HDLC of IEC 62056-46, the DLMS/COSEM data link on serial lines, optical probes and HAN ports:
// the frame codec, its fields, the SNRM/UA parameters and the stream reader. The connection
// state of either side is in hdlc-link.ts. Pure: bytes in, frames out.
export { crc16X25 } from './hdlc-crc.js';
export {
  clientAddress, decodeAddress, decodeControl, encodeAddress, encodeControl, formatAddress, sameAddress, serverAddress,
  type HdlcAddress, type HdlcControl,
} from './hdlc-fields.js';
export {
  HDLC_FLAG, HDLC_MAX_LENGTH, HDLC_MIN_LENGTH, LLC_REQUEST, LLC_RESPONSE,
  decodeHdlcFrame, encodeHdlcFrame, encodeHdlcPush, stripLlc, type HdlcFrame,
} from './hdlc-frame.js';
export { HDLC_DEFAULT_PARAMETERS, encodeHdlcParameters, parseHdlcParameters, type HdlcParameters } from './hdlc-parameters.js';
export { HdlcFrameReader, type HdlcReadItem } from './hdlc-reader.js';
