// Frame formats, RSSI conversions, init sequences and the simulator's answers.
import { describe, expect, it } from 'vitest';
import { feed } from '../../test/support/stick-feeding.js';
import { amb8465, amb8465RssiToDbm } from './amb8465.js';
import { cul, culRssiToDbm } from './cul.js';
import { addFormatB, stripFormatA, stripFormatB } from './dll-crc.js';
import { im871a, im871aDbmToRssi, im871aRssiToDbm } from './im871a.js';
import { iu891a } from './iu891a.js';
import type { StickCodec } from './stick-types.js';

function telegramOf(length: number): Buffer {
  const t = Buffer.alloc(length, 0);
  for (let i = 0; i < length; i++) t[i] = (i * 37 + 11) & 0xff;
  t[0] = length - 1;
  t[1] = 0x44;
  return t;
}

describe('CUL frame formats', () => {
  it.each([12, 26, 126, 127, 200])('format B, %i bytes: CRCs stripped and L adjusted, and back', (n) => {
    const t = telegramOf(n);
    const line = cul.encodeTelegram(t, { rssiDbm: -70, frameFormat: 'B' });
    expect(line.toString('latin1').startsWith('bY')).toBe(true);
    expect(feed(cul.createDecoder(), [line])).toMatchObject([{ kind: 'telegram', telegram: t, frameFormat: 'B', rssiDbm: -70 }]);
  });

  it.each([11, 26, 27, 200, 256])('format A, %i bytes, without the X21 trailer', (n) => {
    const t = telegramOf(n);
    const events = feed(cul.createDecoder(), [cul.encodeTelegram(t)]);
    expect(events).toEqual([{ kind: 'telegram', telegram: t, frameFormat: 'A', offset: 0 }]);
  });

  it('refuses a CRC error in any block', () => {
    const frame = addFormatB(telegramOf(200));
    for (const at of [3, 130, frame.length - 1]) {
      const bad = Buffer.from(frame);
      bad[at] = (bad[at] ?? 0) ^ 0x10;
      expect(stripFormatB(bad)).toBe('bad-crc');
    }
    expect(stripFormatA(Buffer.from('0a44', 'hex'))).toBe('bad-length');
  });

  it('passes text lines on as responses and answers the probe and mode commands', () => {
    expect(feed(cul.createDecoder(), [Buffer.from('V 1.67 nanoCUL868\r\nTMODE\r\n')])).toMatchObject([
      { kind: 'response', text: 'V 1.67 nanoCUL868' },
      { kind: 'response', text: 'TMODE' },
    ]);
    expect(cul.initSequence?.('t1').map((b) => b.toString())).toEqual(['V\r\n', 'brt\r\n', 'X21\r\n']);
    expect(cul.answer?.(Buffer.from('brc\r\n'))?.toString()).toBe('CMODE\r\n');
    expect(cul.answer?.(Buffer.from('V\r\n'))?.toString()).toBe('V 1.67 nanoCUL868\r\n');
    expect(culRssiToDbm(0xd4)).toBe(-96);
  });
});

describe('RSSI conversions', () => {
  it('iM871A follows wmbusmeters’ line (45 → −100, 205 → −20, ≥ 230 → 0) and inverts it', () => {
    expect(im871aRssiToDbm(45)).toBe(-100);
    expect(im871aRssiToDbm(205)).toBe(-20);
    expect(im871aRssiToDbm(240)).toBe(0);
    for (let raw = 0; raw < 230; raw++) expect(im871aDbmToRssi(im871aRssiToDbm(raw))).toBe(raw);
  });

  it('AMB8465 reads a signed byte / 2 − 74', () => {
    expect(amb8465RssiToDbm(0x77)).toBe(-14.5);
    expect(amb8465RssiToDbm(0x80)).toBe(-138);
  });
});

describe('init sequences and answers', () => {
  const codecs: StickCodec[] = [im871a, iu891a, amb8465];
  it.each(codecs.map((c) => [c.name, c] as const))('%s: every init command gets an answer the decoder reads', (_name, codec) => {
    for (const mode of ['c1', 't1', 'c1t1'] as const) {
      for (const command of codec.initSequence?.(mode) ?? []) {
        if (command.every((b) => b === 0xc0)) continue; // iU891A wake-up burst
        const reply = codec.answer?.(command);
        expect(reply, command.toString('hex')).toBeInstanceOf(Buffer);
        const events = feed(codec.createDecoder(), [reply ?? Buffer.alloc(0)]);
        expect(events).toMatchObject([{ kind: 'response' }]);
      }
    }
  });

  it('iM871A GET_DEVICEINFO answer carries module type 0x33 and the UID', () => {
    const reply = im871a.answer?.(Buffer.from('a5010f00', 'hex')) ?? Buffer.alloc(0);
    expect(feed(im871a.createDecoder(), [reply])).toMatchObject([{ kind: 'response', endpoint: 1, msgId: 0x10 }]);
    expect(reply.subarray(4).toString('hex')).toBe('3300150178563412');
  });

  it('AMB8465 SET_MODE uses wmbusmeters’ mode bytes and is confirmed with CMD | 0x80', () => {
    const modes = (['c1', 't1', 'c1t1'] as const).map((m) => amb8465.initSequence?.(m)[2]?.toString('hex'));
    expect(modes).toEqual(['ff04010ef4', 'ff040108f2', 'ff040109f3']);
    expect(amb8465.answer?.(Buffer.from('ff040109f3', 'hex'))?.toString('hex')).toBe('ff8401007a');
  });

  it('iU891A SET_ACTIVE_CONFIGURATION carries the link mode first, option bits 0x0006', () => {
    const [, , , set] = iu891a.initSequence?.('c1t1') ?? [];
    expect(feed(iu891a.createDecoder(), [set ?? Buffer.alloc(0)])).toMatchObject([{ kind: 'response', endpoint: 9, msgId: 3, status: 3 }]);
  });
});
