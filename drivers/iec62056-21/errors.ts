// The one error type of the IEC 62056-21 driver: a code and the byte offset in the bytes passed.

export const IEC_ERROR_CODES = [
  'truncated', // the bytes end before the line or block is complete
  'bad-identification', // not `/XXXZ…\r\n`, or a baud character no mode allows
  'bad-bcc', // the block check character of a readout does not match
  'bad-block', // a readout block without STX … ! CR LF ETX, or a data line that is not `ID(value*unit)`
  'bad-value', // an option, baud rate or address out of range: when encoding, in an option select read, or a hand-over the meter does not offer
] as const;

export type IecErrorCode = (typeof IEC_ERROR_CODES)[number];

export class IecError extends Error {
  override readonly name = 'IecError';
  readonly code: IecErrorCode;
  readonly offset: number;

  constructor(code: IecErrorCode, offset: number, message: string) {
    super(message);
    this.code = code;
    this.offset = offset;
  }
}

export function isIecError(e: unknown): e is IecError {
  return e instanceof IecError;
}
