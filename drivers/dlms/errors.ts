// The one error type of the DLMS/COSEM driver (HDLC, A-XDR, xDLMS, ciphering). Every failure is a
// DlmsError with a code from this closed list and the byte offset — in the bytes as the caller
// passed them (an HDLC frame, a bare APDU, or a plaintext after decryption: `where` says which) —
// at which the problem was found, as drivers/wmbus does with WmbusError.

export const DLMS_ERROR_CODES = [
  'truncated', // the bytes end before a field they announce
  'bad-frame', // an HDLC flag, format type, address or control byte that is not allowed
  'bad-length', // a length field disagrees with the bytes present
  'bad-hcs', // the HDLC header check sequence does not match
  'bad-fcs', // the HDLC frame check sequence does not match
  'bad-tag', // an A-XDR, BER or APDU tag this driver does not know, or not allowed where it stands
  'bad-value', // a value to encode or decode is out of range (a date, an OBIS code, a key length …)
  'unsupported', // known to the standard but not implemented here (a security suite, a compression, …)
  'tag-mismatch', // the 12-byte GCM authentication tag does not verify: wrong key or altered bytes
  'no-key', // a ciphered APDU and no key for its system title or key type
  'counter-replay', // an invocation counter not above the last accepted one for that system title
  'refused', // the other side refused: AARE not accepted, a GET data-access-result, DM/FRMR
  'protocol', // a frame or APDU that does not fit the session's state (wrong sequence number, …)
  'no-answer', // the meter did not answer within the timeout (transport level, used by links)
] as const;

export type DlmsErrorCode = (typeof DLMS_ERROR_CODES)[number];

/** Which bytes `offset` counts in. */
export type DlmsOffsetIn = 'frame' | 'apdu' | 'plaintext';

export class DlmsError extends Error {
  override readonly name = 'DlmsError';
  readonly code: DlmsErrorCode;
  readonly offset: number;
  readonly where: DlmsOffsetIn;

  constructor(code: DlmsErrorCode, offset: number, message: string, where: DlmsOffsetIn = 'apdu') {
    super(message);
    this.code = code;
    this.offset = offset;
    this.where = where;
  }
}

export function isDlmsError(e: unknown): e is DlmsError {
  return e instanceof DlmsError;
}

/** Throws 'truncated' unless `count` bytes are available at `offset`. */
export function need(buf: Uint8Array, offset: number, count: number, what: string, where: DlmsOffsetIn = 'apdu'): void {
  if (offset + count > buf.length) {
    throw new DlmsError('truncated', offset, `${what}: needs ${count} bytes at offset ${offset}, has ${buf.length - offset}`, where);
  }
}
