import { createCipheriv } from 'node:crypto';
import { crc16En13757, manufacturerToCode } from '../../drivers/wmbus/index.js';

// Encoders for the simulator: the inverse of drivers/wmbus' ELL (Kamstrup AES-128-CTR) and OMS
// mode 5 (AES-128-CBC). Output is the stripped telegram (L-field + telegram without DLL CRCs),
// the form every stick codec's encodeTelegram() takes.

export interface RadioAddress {
  manufacturer: string;
  /** The 8 digits printed on the meter. */
  id: string;
  version: number;
  deviceType: number;
}

const SND_NR = 0x44;

/** M(2) ID(4) version type, as on the wire (the IV prefix of both AES modes). */
export function addressBytes(a: RadioAddress): Buffer {
  if (!/^\d{8}$/.test(a.id)) throw new Error(`meter id "${a.id}" is not 8 digits`);
  const out = Buffer.alloc(8);
  out.writeUInt16LE(manufacturerToCode(a.manufacturer), 0);
  Buffer.from(a.id, 'hex').reverse().copy(out, 2);
  out[6] = a.version;
  out[7] = a.deviceType;
  return out;
}

function withLength(body: Buffer): Buffer {
  if (body.length > 255) throw new Error(`telegram of ${body.length} bytes is too long`);
  return Buffer.concat([Buffer.from([body.length]), body]);
}

function checkKey(key: Buffer): void {
  if (key.length !== 16) throw new Error(`an AES-128 key is 16 bytes, got ${key.length}`);
}

export interface KamstrupEllInput {
  address: RadioAddress;
  key: Buffer;
  /** Communication control (0x20 = bidirectional… Kamstrup C1 meters send 0x20 or 0x30). */
  cc: number;
  acc: number;
  /** Session number without the encryption bits (0…0x1FFFFFFF). */
  session: number;
  /** CI after the ELL (0x78 full frame) followed by the records. */
  application: Buffer;
}

/** C1 frame with ELL CI 0x8D, AES-128-CTR from the payload CRC on; the CRC covers the plaintext. */
export function encodeKamstrupEll(i: KamstrupEllInput): Buffer {
  checkKey(i.key);
  const addr = addressBytes(i.address);
  const sn = Buffer.alloc(4);
  sn.writeUInt32LE(((1 << 29) | (i.session & 0x1fffffff)) >>> 0);
  const crc = Buffer.alloc(2);
  crc.writeUInt16LE(crc16En13757(i.application));
  const plain = Buffer.concat([crc, i.application]);
  const iv = Buffer.concat([addr, Buffer.from([i.cc]), sn, Buffer.alloc(3)]);
  const c = createCipheriv('aes-128-ctr', i.key, iv);
  const enc = Buffer.concat([c.update(plain), c.final()]);
  return withLength(Buffer.concat([Buffer.from([SND_NR]), addr, Buffer.from([0x8d, i.cc, i.acc]), sn, enc]));
}

export interface OmsMode5Input {
  address: RadioAddress;
  key: Buffer;
  acc: number;
  status: number;
  /** DIF/VIF records; 2F2F is put in front and 2F fill after. */
  records: Buffer;
}

/** CI 0x7A short header, security mode 5: AES-128-CBC, IV = M A ACC×8, plaintext 2F2F…, 2F padding. */
export function encodeOmsMode5(i: OmsMode5Input): Buffer {
  checkKey(i.key);
  const addr = addressBytes(i.address);
  const unpadded = Buffer.concat([Buffer.from([0x2f, 0x2f]), i.records]);
  const blocks = Math.ceil(unpadded.length / 16);
  if (blocks > 15) throw new Error('mode 5 can encrypt at most 15 blocks');
  const plain = Buffer.concat([unpadded, Buffer.alloc(blocks * 16 - unpadded.length, 0x2f)]);
  const iv = Buffer.concat([addr, Buffer.alloc(8, i.acc)]);
  const c = createCipheriv('aes-128-cbc', i.key, iv).setAutoPadding(false);
  const enc = Buffer.concat([c.update(plain), c.final()]);
  const cw = Buffer.alloc(2);
  cw.writeUInt16LE((5 << 8) | (blocks << 4));
  return withLength(Buffer.concat([Buffer.from([SND_NR]), addr, Buffer.from([0x7a, i.acc, i.status]), cw, enc]));
}
