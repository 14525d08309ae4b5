// The one error type of the wM-Bus driver. Every failure the driver reports is a WmbusError with a
// code from this closed list and the byte offset (in the telegram as the caller passed it, or in
// the application data for 'bad-record') where the problem was found.

export const WMBUS_ERROR_CODES = [
  'truncated', // the bytes end before a field or block they announce
  'bad-length', // a length field disagrees with the bytes present, or a frame length no format allows
  'bad-crc', // a link-layer block CRC or the ELL payload CRC does not match
  'bad-field', // a value to encode is out of range (manufacturer letters, id digits, …)
  'bad-key', // a key that is not 16 bytes
  'unsupported-ci', // a CI field this driver does not decode
  'unsupported-security-mode', // a TPL or ELL security mode other than none, 5, 7 / AES-CTR
  'no-key', // records were asked of a telegram that is still encrypted
  'does-not-decrypt', // the key given does not decrypt the telegram (verification failed)
  'bad-record', // a DIF/VIF data record is malformed
] as const;

export type WmbusErrorCode = (typeof WMBUS_ERROR_CODES)[number];

export class WmbusError extends Error {
  override readonly name = 'WmbusError';
  readonly code: WmbusErrorCode;
  readonly offset: number;

  constructor(code: WmbusErrorCode, offset: number, message: string) {
    super(message);
    this.code = code;
    this.offset = offset;
  }
}

export function isWmbusError(e: unknown): e is WmbusError {
  return e instanceof WmbusError;
}

/** Throws 'truncated' unless `need` bytes are available at `offset`. */
export function need(buf: Uint8Array, offset: number, count: number, what: string): void {
  if (offset + count > buf.length) {
    throw new WmbusError('truncated', offset, `${what}: needs ${count} bytes at offset ${offset}, telegram has ${buf.length}`);
  }
}
