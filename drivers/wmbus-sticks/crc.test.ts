import { describe, expect, it } from 'vitest';
import { crc16En13757, crc16X25, xorChecksum } from './crc.js';

const check = Buffer.from('123456789', 'ascii');

describe('checksums', () => {
  it('CRC-16/X-25 has the standard check value', () => {
    expect(crc16X25(check)).toBe(0x906e);
  });

  it('CRC-16/X-25 over data plus its LE CRC gives the good value 0x0F47', () => {
    const crc = crc16X25(check);
    const withCrc = Buffer.concat([check, Buffer.from([crc & 0xff, crc >> 8])]);
    expect(crc16X25(withCrc)).toBe(0x0f47);
  });

  it('CRC-16/EN-13757 has the standard check value', () => {
    expect(crc16En13757(check)).toBe(0xc2b7);
  });

  it('honours start and end', () => {
    const padded = Buffer.concat([Buffer.from([1, 2]), check, Buffer.from([3])]);
    expect(crc16X25(padded, 2, 11)).toBe(0x906e);
    expect(crc16En13757(padded, 2, 11)).toBe(0xc2b7);
  });

  it('XOR checksum of the AMB8465 GET request is 0x77', () => {
    expect(xorChecksum(Buffer.from('ff0a020080', 'hex'))).toBe(0x77);
  });
});
