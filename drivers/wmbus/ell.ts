import { createCipheriv } from 'node:crypto';
import { crc16En13757 } from './crc.js';
import { WmbusError, need } from './errors.js';
import { parseAddress, type MeterAddress } from './link-layer.js';

// Extended link layer (EN 13757-4), CI 0x8C-0x8F. All start with CC and ACC; II and IV add the
// session number SN (whose top 3 bits select the encryption) and a payload CRC; III and IV add a
// target address. With encryption 1 (AES-128-CTR, Kamstrup's C1 meters) everything from the payload
// CRC to the end is encrypted, and the CRC over the decrypted payload is what verifies the key.

export const ELL_CIS = [0x8c, 0x8d, 0x8e, 0x8f] as const;

export interface EllHeader {
  ci: number;
  cc: number;
  acc: number;
  targetAddress?: MeterAddress;
  sessionNumber?: { raw: number; session: number; time: number; encryption: number };
}

export interface EllResult {
  header: EllHeader;
  /** Offset of the first byte after the ELL (the next CI), in `payload`. */
  next: number;
  /** The telegram with the ELL payload decrypted (a copy if it was encrypted). */
  payload: Buffer;
  encrypted: boolean;
  decrypted: boolean;
}

export const ELL_ENCRYPTION_NONE = 0;
export const ELL_ENCRYPTION_AES_CTR = 1;

/** IV = M(2) A(6) CC SN(4) FN(2)=0 BC(1)=0 — as wmbusmeters' decrypt_ELL_AES_CTR builds it (no ACC). */
export function ellIv(linkAddress: Uint8Array, cc: number, sn: Uint8Array): Buffer {
  const iv = Buffer.alloc(linkAddress.length + 1 + sn.length + 3);
  iv.set(linkAddress, 0);
  iv[linkAddress.length] = cc;
  iv.set(sn, linkAddress.length + 1);
  return iv;
}

export function aesCtr(key: Buffer, iv: Buffer, data: Uint8Array): Buffer {
  const c = createCipheriv('aes-128-ctr', key, iv);
  const head = c.update(data);
  const tail = c.final(); // empty for a stream mode
  return tail.length === 0 ? head : Buffer.concat([head, tail]);
}

/**
 * Parses the ELL at `offset` of a stripped telegram. `key` may be absent: an encrypted payload then
 * stays encrypted (decrypted: false). With a key, the payload CRC must match or it is 'does-not-decrypt';
 * an unencrypted payload with a bad CRC is 'bad-crc'.
 */
export function parseEll(telegram: Buffer, offset: number, linkAddress: Uint8Array, key: Buffer | undefined): EllResult {
  const ci = telegram[offset] ?? 0;
  let p = offset + 1;
  need(telegram, p, 2, 'ELL CC/ACC');
  const header: EllHeader = { ci, cc: telegram[p] ?? 0, acc: telegram[p + 1] ?? 0 };
  p += 2;
  if (ci === 0x8e || ci === 0x8f) {
    header.targetAddress = parseAddress(telegram, p);
    p += 8;
  }
  if (ci === 0x8c || ci === 0x8e) return { header, next: p, payload: telegram, encrypted: false, decrypted: false };

  need(telegram, p, 6, 'ELL SN and payload CRC');
  const snBytes = telegram.subarray(p, p + 4);
  const raw = telegram.readUInt32LE(p);
  const encryption = raw >>> 29;
  header.sessionNumber = { raw, session: raw & 0x0f, time: (raw >>> 4) & 0x1ffffff, encryption };
  p += 4;
  const crcPos = p;
  if (encryption !== ELL_ENCRYPTION_NONE && encryption !== ELL_ENCRYPTION_AES_CTR) {
    throw new WmbusError('unsupported-security-mode', crcPos - 4, `ELL encryption ${encryption} is not supported`);
  }
  let payload = telegram;
  const encrypted = encryption === ELL_ENCRYPTION_AES_CTR;
  if (encrypted) {
    if (!key) return { header, next: crcPos, payload, encrypted, decrypted: false };
    const plain = aesCtr(key, ellIv(linkAddress, header.cc, snBytes), telegram.subarray(crcPos));
    payload = Buffer.allocUnsafe(crcPos + plain.length);
    telegram.copy(payload, 0, 0, crcPos);
    plain.copy(payload, crcPos);
  }
  const want = payload.readUInt16LE(crcPos);
  if (crc16En13757(payload, crcPos + 2) !== want) {
    if (encrypted) throw new WmbusError('does-not-decrypt', crcPos, 'the key does not decrypt this telegram (ELL payload CRC mismatch)');
    throw new WmbusError('bad-crc', crcPos, 'ELL payload CRC does not match');
  }
  return { header, next: crcPos + 2, payload, encrypted, decrypted: encrypted };
}
