// The one error type of the KMP driver: a code from this closed list and the byte offset in the
// bytes as the caller passed them (a physical frame with its start byte, or the data link after
// unstuffing: `where` says which).

export const KMP_ERROR_CODES = [
  'truncated', // the bytes end before a field they announce
  'bad-frame', // no start byte 0x80/0x40, no stop byte 0x0D, or a frame too short for DEST CID CRC
  'bad-stuffing', // an escape byte 0x1B not followed by one of the five escaped values
  'bad-crc', // the CRC-16/XMODEM over DEST..DATA does not match
  'bad-value', // a value to encode is out of range, or a register value that cannot be decoded
  'unexpected-response', // a response to another command, register or destination than asked
  'no-answer', // the meter did not answer within the timeout (transport level, used by links)
] as const;

export type KmpErrorCode = (typeof KMP_ERROR_CODES)[number];

export class KmpError extends Error {
  override readonly name = 'KmpError';
  readonly code: KmpErrorCode;
  readonly offset: number;
  readonly where: 'frame' | 'data-link';

  constructor(code: KmpErrorCode, offset: number, message: string, where: 'frame' | 'data-link' = 'frame') {
    super(message);
    this.code = code;
    this.offset = offset;
    this.where = where;
  }
}

export function isKmpError(e: unknown): e is KmpError {
  return e instanceof KmpError;
}
