import { createCipheriv } from 'node:crypto';
import { WmbusError } from './errors.js';

// AES-128-CMAC (RFC 4493) on node:crypto's AES-ECB. Used by OMS security mode 7 to derive the
// ephemeral keys Kenc/Kmac and to compute the AFL MAC.

const RB = 0x87;

function aesBlock(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv('aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

function shiftLeft(b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = (((b[i] ?? 0) << 1) | ((b[i + 1] ?? 0) >> 7)) & 0xff;
  if (((b[0] ?? 0) & 0x80) !== 0) out[15] = (out[15] ?? 0) ^ RB;
  return out;
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) out[i] = (a[i] ?? 0) ^ (b[i] ?? 0);
  return out;
}

export function aesCmac(key: Buffer, message: Uint8Array): Buffer {
  if (key.length !== 16) throw new WmbusError('bad-key', 0, 'an AES-128 key is 16 bytes');
  const k1 = shiftLeft(aesBlock(key, Buffer.alloc(16)));
  const k2 = shiftLeft(k1);
  const n = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  let x: Buffer = Buffer.alloc(16);
  for (let i = 0; i < n - 1; i++) x = aesBlock(key, xor(x, Buffer.from(message.subarray(i * 16, i * 16 + 16))));
  const tail = Buffer.from(message.subarray((n - 1) * 16));
  let last: Buffer;
  if (complete) {
    last = xor(tail, k1);
  } else {
    const padded = Buffer.alloc(16);
    tail.copy(padded);
    padded[tail.length] = 0x80;
    last = xor(padded, k2);
  }
  return aesBlock(key, xor(x, last));
}
