import { describe, expect, it } from 'vitest';
import { feed } from '../../test/support/stick-feeding.js';
import { iu891a } from './iu891a.js';
import { slipEncode, slipUnescape } from './slip.js';

describe('SLIP', () => {
  it('escapes C0 and DB inside the payload and round-trips', () => {
    const message = Buffer.from([0x09, 0xc0, 0xdb, 0xdc, 0xdd, 0xc0, 0xc0, 0xdb, 0x00]);
    const framed = slipEncode(message);
    expect(framed.toString('hex')).toBe('c009dbdcdbdddcdddbdcdbdcdbdd00c0');
    expect(framed.subarray(1, -1).includes(0xc0)).toBe(false);
    expect(slipUnescape(framed.subarray(1, -1))).toEqual(message);
  });

  it('refuses an escape that is not DC or DD, and a trailing ESC', () => {
    expect(slipUnescape(Buffer.from([0x01, 0xdb, 0x01]))).toBeNull();
    expect(slipUnescape(Buffer.from([0x01, 0xdb]))).toBeNull();
  });

  it('an iU891A telegram whose bytes and CRC need escaping survives the round trip', () => {
    const telegram = Buffer.from('1844c0dbc0db4455223368077a55000000041389e201c0db3b0000', 'hex');
    telegram[0] = telegram.length - 1;
    const framed = iu891a.encodeTelegram(telegram, { rssiDbm: -64 });
    expect(feed(iu891a.createDecoder(), [framed])).toMatchObject([{ kind: 'telegram', telegram, rssiDbm: -64 }]);
  });

  it('ignores the wake-up burst of END bytes', () => {
    const telegram = Buffer.from('1844ae4c4455223368077a55000000041389e20100023b0000', 'hex');
    const input = Buffer.concat([Buffer.alloc(30, 0xc0), iu891a.encodeTelegram(telegram, { rssiDbm: -25 })]);
    expect(feed(iu891a.createDecoder(), [input])).toMatchObject([{ kind: 'telegram', telegram, offset: 30 }]);
  });
});
