import { describe, expect, it } from 'vitest';
import { hex } from '../../test/support/wmbus-vectors.js';
import { aesCmac } from './cmac.js';

// RFC 4493 section 4, AES-128 examples 1-4.
const KEY = hex('2b7e151628aed2a6abf7158809cf4f3c');
const M64 = '6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710';

describe('AES-CMAC (RFC 4493)', () => {
  it.each([
    [0, 'bb1d6929e95937287fa37d129b756746'],
    [16, '070a16b46b4d4144f79bdd9dd04a287c'],
    [40, 'dfa66747de9ae63030ca32611497c827'],
    [64, '51f0bebf7e3b9d92fc49741779363cfe'],
  ])('message of %i bytes', (len, mac) => {
    expect(aesCmac(KEY, hex(M64).subarray(0, len)).toString('hex')).toBe(mac);
  });
  it('refuses a key that is not 16 bytes', () => {
    expect(() => aesCmac(KEY.subarray(0, 15), Buffer.alloc(0))).toThrow(expect.objectContaining({ code: 'bad-key' }));
  });
});
