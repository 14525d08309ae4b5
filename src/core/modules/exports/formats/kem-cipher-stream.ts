import { createCipheriv, type Cipher } from 'node:crypto';
import { AppError } from '../../../../shared/errors.js';
import type { MemberSink } from './export-zip.js';

// KEM's cipher on the way out (docs/product.md "KEM"): AES-128-CBC, PKCS#7, key = the password's
// UTF-8 bytes zero-padded to 16, IV = key; the ciphertext base64 on one line. The plaintext goes
// through the cipher as it is written and the base64 is made in runs of whole 3-byte groups (the
// 0–2 bytes left over wait for the next run), so no document is ever held whole.

/** Plaintext is gathered to about this many characters before it is enciphered. */
const BATCH = 64 * 1024;

/** The AES key (and IV) for a KEM download's password; 0 or more than 16 bytes is refused, naming `password`. */
export function kemKeyOf(password: string | undefined): Buffer {
  const bytes = Buffer.from(password ?? '', 'utf8');
  if (bytes.length === 0 || bytes.length > 16) {
    const reason = bytes.length === 0 ? 'is required for KEM and KEM2' : 'is at most 16 bytes (UTF-8)';
    throw new AppError('validation_failed', `The KEM password ${reason}.`, { details: [{ field: 'password', reason }] });
  }
  const key = Buffer.alloc(16);
  bytes.copy(key);
  return key;
}

/** The one-line XML Encryption envelope around the CipherValue, byte for byte as Kamstrup writes it. */
export const KEM_ENVELOPE_HEAD =
  '<?xml version="1.0" encoding="utf-8"?><EncryptedData Type="http://www.w3.org/2001/04/xmlenc#Element" xmlns="http://www.w3.org/2001/04/xmlenc#"><EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc" /><CipherData><CipherValue>';
export const KEM_ENVELOPE_TAIL = '</CipherValue></CipherData></EncryptedData>';

/** Writes one KEM/KEM2 member: the envelope, and the plaintext given to `write` enciphered into it. */
export class KemCipherStream {
  private readonly cipher: Cipher;
  private plain: string[] = [];
  private plainLength = 0;
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    key: Buffer,
    private readonly sink: MemberSink,
  ) {
    this.cipher = createCipheriv('aes-128-cbc', key, key);
  }

  async begin(): Promise<void> {
    await this.sink.write(KEM_ENVELOPE_HEAD);
  }

  async write(text: string): Promise<void> {
    this.plain.push(text);
    this.plainLength += text.length;
    if (this.plainLength >= BATCH) await this.encipher();
  }

  async end(): Promise<void> {
    await this.encipher();
    await this.base64(this.cipher.final(), true);
    await this.sink.write(KEM_ENVELOPE_TAIL);
    await this.sink.end();
  }

  private async encipher(): Promise<void> {
    if (this.plainLength === 0) return;
    const text = this.plain.join('');
    this.plain = [];
    this.plainLength = 0;
    await this.base64(this.cipher.update(text, 'utf8'), false);
  }

  private async base64(bytes: Buffer, last: boolean): Promise<void> {
    const all = this.carry.length === 0 ? bytes : Buffer.concat([this.carry, bytes]);
    const cut = last ? all.length : all.length - (all.length % 3);
    this.carry = Buffer.from(all.subarray(cut));
    if (cut > 0) await this.sink.write(all.subarray(0, cut).toString('base64'));
  }
}
