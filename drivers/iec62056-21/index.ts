// Public API of the IEC 62056-21 driver (the optical probe at 300 baud 7E1): sign-on,
// identification, option select, mode C readout, break, and a stream reader for either side.
// The switch of speed and framing (mode E: 8N1, then HDLC) is the I/O layer's: this gives the bytes and the speed.
export { IEC_ERROR_CODES, IecError, isIecError, type IecErrorCode } from './errors.js';
export {
  ACK, BREAK, ETX, NAK, SOH, STX, baudCharOf, baudOf, bcc, encodeIdentification, optionSelect, parseIdentification,
  parseOptionSelect, parseSignOnRequest, signOnRequest, type Identification, type IecMode, type OptionSelect,
} from './sign-on.js';
export { handOver, type HandOver } from './hand-over.js';
export { MAX_READOUT_BYTES, encodeReadout, parseReadout, type DataSet } from './readout.js';
export { IecReader, type IecReadItem } from './iec-reader.js';
export { readoutFields } from './readout-fields.js';
