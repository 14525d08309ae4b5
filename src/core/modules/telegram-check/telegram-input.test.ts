import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WmbusError, buildFrame, crc16En13757, decodeTelegram } from '../../../../drivers/wmbus/index.js';
import { wmbusVectorsPath } from '../../../../test/fixtures/fixture-files.js';
import { framesOf, parseTelegramHex } from './telegram-input.js';

const VECTORS = JSON.parse(readFileSync(wmbusVectorsPath, 'utf8')) as { telegram: string }[];
const stripped = VECTORS.map((v) => Buffer.from(v.telegram, 'hex'));

const errorOf = (f: () => unknown): { code: string; offset: number } => {
  try {
    f();
  } catch (e) {
    if (e instanceof WmbusError) return { code: e.code, offset: e.offset };
    throw e;
  }
  throw new Error('no error');
};

// The separators and limits in full: src/shared/telegrams/telegram-hex.test.ts.
describe('parseTelegramHex', () => {
  it("takes hex with spaces, line breaks, colons and wmbusmeters' _ and |, upper or lower case", () => {
    expect(parseTelegramHex(' 2a:44 2D\n2c\t_85|')).toEqual({ bytes: Buffer.from([0x2a, 0x44, 0x2d, 0x2c, 0x85]) });
  });

  it.each([
    ['nothing', '', 'is empty'],
    ['separators only', ' :\n', 'is empty'],
    ['letters', '2a44 zz', 'is not hexadecimal'],
    ['dashes', '2a-44', 'is not hexadecimal'],
    ['half a byte', '2a4', 'is not whole bytes'],
    ['513 bytes', '00'.repeat(513), 'is longer than 512 bytes'],
  ])('refuses %s', (_name, text, problem) => {
    expect(parseTelegramHex(text)).toEqual({ problem });
  });

  it('takes 512 bytes', () => {
    expect(parseTelegramHex('00'.repeat(512))).toMatchObject({ bytes: expect.any(Buffer) });
  });
});

describe('framesOf', () => {
  it('a stripped telegram is read as stripped only', () => {
    for (const t of stripped) expect(framesOf(t)).toEqual([{ kind: 'stripped', telegram: t }]);
  });

  it('a format A frame is recognised by its length and first CRC, and stripped', () => {
    for (const t of stripped) expect(framesOf(buildFrame(t, 'A'))).toEqual([{ kind: 'A', telegram: t }]);
  });

  it('a format B frame is read as B first, then as stripped', () => {
    for (const t of stripped) {
      const b = buildFrame(t, 'B');
      const frames = framesOf(b);
      expect(frames.map((f) => f.kind)).toEqual(['B', 'stripped']);
      expect(frames[0]?.telegram).toEqual(t);
      expect(frames[1]?.telegram).toEqual(b);
    }
  });

  it('a stripped telegram whose last two bytes happen to be its format B CRC is read both ways', () => {
    const t = Buffer.from(stripped[0] ?? Buffer.alloc(0));
    const crc = crc16En13757(t, 0, t.length - 2);
    t.writeUInt16BE(crc, t.length - 2);
    expect(framesOf(t).map((f) => f.kind)).toEqual(['B', 'stripped']);
  });

  it('format A with a bad CRC in block 1 is not format A: the stripped reading answers with its length error', () => {
    const a = buildFrame(stripped[0] ?? Buffer.alloc(0), 'A');
    a[3] = (a[3] ?? 0) ^ 0x01;
    expect(framesOf(a)).toEqual([{ kind: 'stripped', telegram: a }]);
    expect(errorOf(() => decodeTelegram(a, { crc: 'stripped' }))).toEqual({ code: 'bad-length', offset: (a[0] ?? 0) + 1 });
  });

  it('format A with a bad CRC in a later block is bad-crc at that block', () => {
    const a = buildFrame(stripped[1] ?? Buffer.alloc(0), 'A');
    const block3 = 10 + 2 + 16 + 2;
    a[block3 + 5] = (a[block3 + 5] ?? 0) ^ 0x80;
    expect(errorOf(() => framesOf(a))).toEqual({ code: 'bad-crc', offset: block3 });
  });

  it('a length that fits no reading is read as stripped, for the driver to name the length error', () => {
    const t = stripped[0] ?? Buffer.alloc(0);
    for (const [bytes, code, offset] of [[t.subarray(0, 20), 'truncated', 20], [Buffer.concat([t, Buffer.from([0])]), 'bad-length', t.length]] as const) {
      expect(framesOf(bytes)).toEqual([{ kind: 'stripped', telegram: bytes }]);
      expect(errorOf(() => decodeTelegram(bytes, { crc: 'stripped' }))).toEqual({ code, offset });
    }
  });
});
