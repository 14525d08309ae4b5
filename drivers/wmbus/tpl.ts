import { createDecipheriv } from 'node:crypto';
import type { AflHeader } from './afl.js';
import { aesCmac } from './cmac.js';
import { WmbusError, need } from './errors.js';
import { parseAddress, type MeterAddress } from './link-layer.js';

// OMS / EN 13757-7 transport layer. The CI says whether there is no header, a short one (ACC STS CW)
// or a long one (meter address first: ID M version type, then ACC STS CW), and whether a full frame
// (DIF/VIF records) or a compact frame (format signature + values) follows. The long header's
// address is the meter's and keys belong to it; the radio (link) address may be a repeater's.

export interface TplKind {
  header: 'none' | 'short' | 'long';
  frame: 'full' | 'compact';
}

export const TPL_CIS: ReadonlyMap<number, TplKind> = new Map([
  [0x78, { header: 'none', frame: 'full' }],
  [0x79, { header: 'none', frame: 'compact' }],
  [0x7a, { header: 'short', frame: 'full' }],
  [0x72, { header: 'long', frame: 'full' }],
  [0x73, { header: 'long', frame: 'compact' }],
]);

export interface TplHeader extends TplKind {
  ci: number;
  meterAddress?: MeterAddress;
  acc?: number;
  status?: number;
  configWord?: number;
  configExt?: number;
  /** 0 = none, 5 = AES-128-CBC with IV, 7 = AES-128-CBC with derived keys and IV 0. */
  securityMode: number;
  /** Number of encrypted 16-byte blocks the CW announces (0 for no encryption). */
  encryptedBlocks: number;
}

export function parseTplHeader(t: Buffer, offset: number): { header: TplHeader; next: number } {
  const ci = t[offset] ?? 0;
  const kind = TPL_CIS.get(ci);
  if (!kind) throw new WmbusError('unsupported-ci', offset, `CI field 0x${ci.toString(16).padStart(2, '0')} is not supported`);
  const header: TplHeader = { ci, header: kind.header, frame: kind.frame, securityMode: 0, encryptedBlocks: 0 };
  let p = offset + 1;
  if (kind.header === 'none') return { header, next: p };
  if (kind.header === 'long') {
    need(t, p, 8, 'TPL long header address');
    // On the wire: ID(4) M(2) version type; reorder to M ID version type like the link address.
    const wire = t.subarray(p, p + 8);
    header.meterAddress = parseAddress(Buffer.concat([wire.subarray(4, 6), wire.subarray(0, 4), wire.subarray(6, 8)]), 0);
    p += 8;
  }
  need(t, p, 4, 'TPL ACC/STS/CW');
  header.acc = t[p] ?? 0;
  header.status = t[p + 1] ?? 0;
  const cw = t.readUInt16LE(p + 2);
  header.configWord = cw;
  header.securityMode = (cw >> 8) & 0x1f;
  p += 4;
  if (header.securityMode === 5 || header.securityMode === 7) header.encryptedBlocks = (cw >> 4) & 0x0f;
  if (header.securityMode === 7) {
    need(t, p, 1, 'TPL configuration field extension');
    header.configExt = t[p] ?? 0;
    p += 1;
  }
  if (header.securityMode !== 0 && header.securityMode !== 5 && header.securityMode !== 7) {
    throw new WmbusError('unsupported-security-mode', p - 2, `TPL security mode ${header.securityMode} is not supported`);
  }
  return { header, next: p };
}

function cbcDecrypt(key: Buffer, iv: Buffer, data: Uint8Array): Buffer {
  const d = createDecipheriv('aes-128-cbc', key, iv);
  d.setAutoPadding(false);
  return Buffer.concat([d.update(data), d.final()]);
}

/** The encrypted span: CW's block count × 16 bytes, or (count 0) all that follows in whole blocks. */
function encryptedSpan(t: Buffer, start: number, tpl: TplHeader): number {
  const len = tpl.encryptedBlocks > 0 ? tpl.encryptedBlocks * 16 : t.length - start;
  if (len === 0 || len % 16 !== 0) throw new WmbusError('bad-length', start, `encrypted data of ${len} bytes is not a whole number of AES blocks`);
  need(t, start, len, 'encrypted data');
  return len;
}

export function mode5Iv(address: Uint8Array, acc: number): Buffer {
  return Buffer.concat([Buffer.from(address), Buffer.alloc(8, acc)]);
}

/** Kenc (dc 0x00) or Kmac (dc 0x01) of OMS 4 mode 7: CMAC(K, DC || counter || ID || 07×7). */
export function deriveMode7Key(key: Buffer, dc: 0x00 | 0x01, counter: Uint8Array, idBytes: Uint8Array): Buffer {
  return aesCmac(key, Buffer.concat([Buffer.from([dc]), Buffer.from(counter), Buffer.from(idBytes), Buffer.alloc(7, 0x07)]));
}

export interface TplDecryptInput {
  telegram: Buffer;
  /** Offset of the TPL CI in `telegram` (the MAC of mode 7 covers from here to the end). */
  tplOffset: number;
  /** Offset of the first byte after the TPL header. */
  dataOffset: number;
  tpl: TplHeader;
  /** M(2) ID(4) version type of the meter: the long header's, else the link's. */
  meterAddress: Uint8Array;
  afl: AflHeader | undefined;
  key: Buffer;
}

/** Decrypts and verifies; returns the application data (decrypted span + any plaintext tail). */
export function decryptTpl(i: TplDecryptInput): Buffer {
  const { telegram: t, dataOffset: start, tpl, key } = i;
  const len = encryptedSpan(t, start, tpl);
  let plain: Buffer;
  if (tpl.securityMode === 5) {
    plain = cbcDecrypt(key, mode5Iv(i.meterAddress, tpl.acc ?? 0), t.subarray(start, start + len));
  } else {
    const kdf = ((tpl.configExt ?? 0) >> 4) & 0x03;
    const counter = i.afl?.counter;
    if (kdf !== 1 || !counter) {
      throw new WmbusError('unsupported-security-mode', start, 'mode 7 needs key derivation 1 and an AFL message counter');
    }
    const id = i.meterAddress.subarray(2, 6);
    const mac = i.afl?.mac;
    if (mac) {
      const kmac = deriveMode7Key(key, 0x01, counter, id);
      const ml = i.afl?.messageLength;
      const mlBytes = ml === undefined ? Buffer.alloc(0) : Buffer.from([ml & 0xff, ml >> 8]);
      const input = Buffer.concat([Buffer.from([i.afl?.mcl ?? 0]), counter, mlBytes, t.subarray(i.tplOffset)]);
      if (!aesCmac(kmac, input).subarray(0, mac.length).equals(mac)) {
        throw new WmbusError('does-not-decrypt', start, 'the key does not decrypt this telegram (AFL MAC mismatch)');
      }
    }
    plain = cbcDecrypt(deriveMode7Key(key, 0x00, counter, id), Buffer.alloc(16), t.subarray(start, start + len));
  }
  if (plain[0] !== 0x2f || plain[1] !== 0x2f) {
    throw new WmbusError('does-not-decrypt', start, 'the key does not decrypt this telegram (no 2F2F after decryption)');
  }
  return Buffer.concat([plain, t.subarray(start + len)]);
}
