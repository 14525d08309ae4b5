import { WmbusError, need } from './errors.js';

// Authentication and fragmentation layer (EN 13757-7, CI 0x90): carries the message counter and
// the MAC that OMS security mode 7 needs. Fragmented messages are not reassembled here.

export interface AflHeader {
  fcl: number;
  mcl?: number;
  keyInfo?: number;
  /** Message counter, 4 bytes as on the wire (the KDF input). */
  counter?: Buffer;
  mac?: Buffer;
  messageLength?: number;
}

const MAC_LENGTHS: Readonly<Record<number, number>> = { 3: 2, 4: 4, 5: 8, 6: 12, 7: 16 };

export function parseAfl(t: Buffer, offset: number): { header: AflHeader; next: number } {
  need(t, offset + 1, 3, 'AFL length and FCL');
  const afll = t[offset + 1] ?? 0;
  const end = offset + 2 + afll;
  need(t, offset + 2, afll, 'AFL');
  const fcl = t.readUInt16LE(offset + 2);
  if ((fcl & 0x4000) !== 0 || (fcl & 0xff) !== 0) {
    throw new WmbusError('unsupported-ci', offset, 'fragmented AFL messages are not supported');
  }
  const header: AflHeader = { fcl };
  let p = offset + 4;
  const take = (n: number, what: string): number => {
    if (p + n > end) throw new WmbusError('bad-length', p, `AFL ${what} does not fit in AFL length ${afll}`);
    const at = p;
    p += n;
    return at;
  };
  if (fcl & 0x2000) header.mcl = t[take(1, 'MCL')] ?? 0;
  if (fcl & 0x0200) header.keyInfo = t.readUInt16LE(take(2, 'KI'));
  if (fcl & 0x0800) {
    const at = take(4, 'MCR');
    header.counter = Buffer.from(t.subarray(at, at + 4));
  }
  if (fcl & 0x0400) {
    const len = MAC_LENGTHS[(header.mcl ?? 0) & 0x0f];
    if (len === undefined) throw new WmbusError('unsupported-security-mode', offset, `AFL authentication type ${(header.mcl ?? 0) & 0x0f} is not supported`);
    const at = take(len, 'MAC');
    header.mac = Buffer.from(t.subarray(at, at + len));
  }
  if (fcl & 0x1000) header.messageLength = t.readUInt16LE(take(2, 'ML'));
  return { header, next: end };
}
