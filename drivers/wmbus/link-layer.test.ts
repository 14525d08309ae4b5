import { describe, expect, it } from 'vitest';
import { VECTORS, hex } from '../../test/support/wmbus-vectors.js';
import { crc16En13757 } from './crc.js';
import { WmbusError } from './errors.js';
import { buildFrame, parseLinkHeader, stripFormatA, stripFormatB } from './link-layer.js';
import { manufacturerFromCode, manufacturerToCode } from './manufacturer.js';
import { catchWmbus } from '../../test/support/wmbus-errors.js';


/** A stripped telegram of n bytes (L = n - 1) with a plausible header and counting payload. */
function telegramOf(n: number): Buffer {
  const t = Buffer.alloc(n);
  for (let i = 0; i < n; i++) t[i] = (i * 7 + 3) & 0xff;
  t[0] = n - 1;
  hex('442d2c998734761b16').copy(t, 1);
  t[10] = 0x78;
  return t;
}

describe('manufacturer code', () => {
  it('round-trips KAM ⇄ 0x2C2D and reads the M-field little-endian', () => {
    expect(manufacturerToCode('KAM')).toBe(0x2c2d);
    expect(manufacturerFromCode(0x2c2d)).toBe('KAM');
    const vector = VECTORS[0];
    if (!vector) throw new Error('no vectors');
    expect(parseLinkHeader(hex(vector.telegram), { crc: 'stripped' }).link.address.manufacturer).toBe('KAM');
  });
  it('refuses anything but three capital letters', () => {
    for (const bad of ['KA', 'KAMX', 'kam', 'K1M']) expect(catchWmbus(() => manufacturerToCode(bad)).code).toBe('bad-field');
  });
});

describe('EN 13757 CRC', () => {
  it('matches the check value of CRC-16/EN-13757 and the Kamstrup ELL payload CRC', () => {
    expect(crc16En13757(Buffer.from('123456789'))).toBe(0xc2b7);
  });
});

describe('link header', () => {
  it('parses L, C, M, ID, version and device type of each vector', () => {
    const seen = VECTORS.map((v) => {
      const { link } = parseLinkHeader(hex(v.telegram), { crc: 'stripped' });
      return [link.length, link.c, link.address.manufacturer, link.address.id, link.address.version, link.address.deviceType];
    });
    expect(seen).toEqual([
      [0x2a, 0x44, 'KAM', '76348799', 0x1b, 0x16],
      [0x76, 0x44, 'AAA', '61070071', 0x25, 0x07],
      [0x76, 0x44, 'EFE', '22502855', 0x02, 0x07],
    ]);
  });
  it('refuses a stripped telegram whose length disagrees with L', () => {
    const t = hex(VECTORS[0]?.telegram ?? '');
    expect(catchWmbus(() => parseLinkHeader(t.subarray(0, t.length - 1), { crc: 'stripped' })).code).toBe('truncated');
    expect(catchWmbus(() => parseLinkHeader(Buffer.concat([t, Buffer.from([0])]), { crc: 'stripped' })).code).toBe('bad-length');
  });
});

describe('frame format A', () => {
  it('round-trips build ⇄ parse for the vectors and for every length up to 255', () => {
    for (const v of VECTORS) {
      const t = hex(v.telegram);
      expect(parseLinkHeader(buildFrame(t, 'A'), { crc: 'present', format: 'A' }).telegram).toEqual(t);
    }
    for (let n = 11; n <= 256; n++) expect(stripFormatA(buildFrame(telegramOf(n), 'A'))).toEqual(telegramOf(n));
  });
  it('puts a CRC after the first 10 bytes and after every 16 following bytes', () => {
    const frame = buildFrame(telegramOf(43), 'A'); // 10 + 16 + 16 + 1 data bytes → 4 CRCs
    expect(frame.length).toBe(43 + 8);
    expect(frame.readUInt16BE(10)).toBe(crc16En13757(frame, 0, 10));
  });
  it('names the block whose CRC fails, for every block', () => {
    const frame = buildFrame(hex(VECTORS[1]?.telegram ?? ''), 'A');
    const starts = [0];
    for (let p = 12; p < frame.length; p += 18) starts.push(p);
    for (const start of starts) {
      const bad = Buffer.from(frame);
      bad[start + 1] = (bad[start + 1] ?? 0) ^ 0x01; // data byte (the second of the first block keeps L intact)
      const e = catchWmbus(() => stripFormatA(bad));
      expect([e.code, e.offset]).toEqual(['bad-crc', start]);
    }
  });
});

describe('frame format B', () => {
  it('round-trips short (one CRC) and long (two CRCs) frames', () => {
    for (let n = 11; n <= 252; n++) {
      const t = telegramOf(n);
      const frame = buildFrame(t, 'B');
      expect(frame[0]).toBe(frame.length - 1);
      expect(frame.length).toBe(n + (n + 2 <= 128 ? 2 : 4));
      expect(parseLinkHeader(frame, { crc: 'present', format: 'B' }).telegram).toEqual(t);
    }
  });
  it('checks the CRC of block 2 and of block 3', () => {
    const frame = buildFrame(telegramOf(200), 'B');
    const b2 = Buffer.from(frame);
    b2[50] = (b2[50] ?? 0) ^ 0xff;
    expect([catchWmbus(() => stripFormatB(b2)).code, catchWmbus(() => stripFormatB(b2)).offset]).toEqual(['bad-crc', 0]);
    const b3 = Buffer.from(frame);
    b3[150] = (b3[150] ?? 0) ^ 0xff;
    expect([catchWmbus(() => stripFormatB(b3)).code, catchWmbus(() => stripFormatB(b3)).offset]).toEqual(['bad-crc', 128]);
  });
});

describe('truncation', () => {
  it('every prefix of every vector, in every framing, fails with a WmbusError', () => {
    for (const v of VECTORS) {
      const t = hex(v.telegram);
      const framings = [
        { bytes: t, opts: { crc: 'stripped' } as const },
        { bytes: buildFrame(t, 'A'), opts: { crc: 'present', format: 'A' } as const },
        { bytes: buildFrame(t, 'B'), opts: { crc: 'present', format: 'B' } as const },
      ];
      for (const { bytes, opts } of framings) {
        for (let n = 0; n < bytes.length; n++) expect(catchWmbus(() => parseLinkHeader(bytes.subarray(0, n), opts))).toBeInstanceOf(WmbusError);
      }
    }
  });
});
