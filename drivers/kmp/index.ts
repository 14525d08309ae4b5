// Public API of the KMP driver (Kamstrup Meter Protocol on the optical eye): pure, bytes in and
// frames and values out, both sides (host requests, meter answers). docs/protocols/kmp.md.
export { KMP_ERROR_CODES, KmpError, isKmpError, type KmpErrorCode } from './errors.js';
export { crc16Xmodem } from './crc.js';
export {
  KMP_ACK, KMP_CID, KMP_DEST_HEAT, KMP_MAX_FRAME, KMP_START_FROM_METER, KMP_START_TO_METER, KMP_STOP,
  decodeDataLink, decodeKmpFrame, encodeKmpFrame, stuffKmp, unstuffKmp, type KmpFrame,
} from './frame.js';
export { KmpFrameReader, type KmpReadEvent } from './reader.js';
export { decodeKmpValue, encodeKmpValue, type KmpNumber } from './value.js';
export {
  KMP_MAX_REGISTERS_PER_REQUEST,
  encodeGetRegisterResponse, encodeGetSerialNoResponse, encodeGetTypeResponse,
  getRegisterRequest, getSerialNoRequest, getTypeRequest,
  parseGetRegisterRequest, parseGetRegisterResponse, parseGetSerialNoResponse, parseGetTypeResponse,
  type KmpMeterType, type KmpRegisterValue,
} from './commands.js';
export {
  KMP_DEFAULT_ELECTRICITY_REGISTERS, KMP_DEFAULT_HEAT_REGISTERS, KMP_REGISTERS, KMP_UNITS, kmpUnitName, type KmpRegister,
} from './registers.js';
export { kmpField, kmpFields } from './fields.js';
