import { createDecipheriv, type Decipher } from 'node:crypto';
import type { ImportFormat } from '../import-row.js';
import { passwordWrong, unreadable } from './reader-errors.js';
import { type CodedReason, importProblem } from '../../../../shared/inventory/import-problems.js';

// KEM's cipher (docs/product.md "KEM"): AES-128-CBC with PKCS#7 padding; the key is the password's
// UTF-8 bytes zero-padded to 16, and the IV is the key again.

const KEM_START = Buffer.from('<MetersInOrder ', 'latin1');
const KEM2_START = Buffer.from('<Devices', 'latin1');

/** The AES key for a KEM password; throws `kem_password_wrong` where there can be none. */
export function kemKeyFor(password: string | undefined): Buffer {
  if (password === undefined || password === '') throw passwordWrong('This KEM file needs its password.');
  const bytes = Buffer.from(password, 'utf8');
  if (bytes.length > 16) throw passwordWrong('KEM passwords are at most 16 bytes; this one is longer, so it cannot open the file.');
  const key = Buffer.alloc(16);
  bytes.copy(key);
  return key;
}

/**
 * Decrypts the ciphertext as it streams by. A wrong password shows at the first block: with CBC
 * and the key as IV, it decrypts to noise instead of the plaintext's fixed start. That start also
 * tells KEM from KEM2.
 */
export class KemDecipher {
  private readonly decipher: Decipher;
  private head: Buffer | undefined = Buffer.alloc(0);
  private cipherBytes = 0;
  format: ImportFormat | undefined;

  constructor(
    key: Buffer,
    private readonly onPlain: (bytes: Buffer) => void,
  ) {
    this.decipher = createDecipheriv('aes-128-cbc', key, key);
  }

  push(ciphertext: Buffer): void {
    this.cipherBytes += ciphertext.length;
    this.plain(this.decipher.update(ciphertext), false);
  }

  /** At the end of the CipherValue (at `offset` in the file). */
  end(offset: number): void {
    if (this.cipherBytes === 0) throw damaged(importProblem('cipher_empty', {}), offset);
    if (this.cipherBytes % 16 !== 0) throw damaged(importProblem('cipher_length', { bytes: this.cipherBytes }), offset);
    let last: Buffer;
    try {
      last = this.decipher.final();
    } catch {
      // Bad padding before the start was checked: the one block decrypted to noise.
      if (this.format === undefined) throw passwordWrong();
      throw damaged(importProblem('cipher_padding', {}), offset);
    }
    this.plain(last, true);
  }

  private plain(bytes: Buffer, final: boolean): void {
    if (this.head === undefined) {
      if (bytes.length > 0) this.onPlain(bytes);
      return;
    }
    const head = Buffer.concat([this.head, bytes]);
    if (head.length < KEM_START.length && !final) {
      this.head = head;
      return;
    }
    this.format = startsWith(head, KEM_START) ? 'kem' : startsWith(head, KEM2_START) ? 'kem2' : undefined;
    if (this.format === undefined) throw passwordWrong();
    this.head = undefined;
    this.onPlain(head);
  }
}

function startsWith(bytes: Buffer, prefix: Buffer): boolean {
  return bytes.length >= prefix.length && bytes.subarray(0, prefix.length).equals(prefix);
}

function damaged(coded: CodedReason, offset: number) {
  return unreadable(`The KEM file is damaged: its CipherValue holds ${coded.reason}.`, { field: 'CipherValue', ...coded, offset });
}
