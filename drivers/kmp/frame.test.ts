import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/lib/prng.js';
import {
  KMP_MAX_FRAME, KmpError, KmpFrameReader, decodeKmpFrame, encodeKmpFrame, getRegisterRequest, getSerialNoRequest, type KmpReadEvent,
} from './index.js';
import { thrown } from '../../test/support/thrown.js';

// Framing errors with their exact code, offset and layer, and the stream reader.

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

function errorOf(f: () => unknown): { code: string; offset: number; where: string } {
  const e = thrown(KmpError, f);
  return { code: e.code, offset: e.offset, where: e.where };
}

describe('decodeKmpFrame errors', () => {
  const cases: Array<[string, string, { code: string; offset: number; where: string }]> = [
    ['no bytes', '', { code: 'truncated', offset: 0, where: 'frame' }],
    ['no start byte', '3f01058a0d', { code: 'bad-frame', offset: 0, where: 'frame' }],
    ['no stop byte', '803f01058a', { code: 'truncated', offset: 5, where: 'frame' }],
    ['an escape of a byte that needs none', '803f1b0001058a0d', { code: 'bad-stuffing', offset: 2, where: 'frame' }],
    ['an escape as the last byte before the stop', '803f01058a1b0d', { code: 'bad-stuffing', offset: 5, where: 'frame' }],
    ['an unescaped ACK inside', '803f0601058a0d', { code: 'bad-frame', offset: 2, where: 'frame' }],
    ['an unescaped start byte inside', '803f40058a0d', { code: 'bad-frame', offset: 2, where: 'frame' }],
    ['a wrong CRC', '803f01058b0d', { code: 'bad-crc', offset: 2, where: 'data-link' }],
    ['a data link shorter than DEST CID CRC', '803f01050d', { code: 'bad-frame', offset: 3, where: 'data-link' }],
  ];
  for (const [what, bytes, expected] of cases) {
    it(what, () => expect(errorOf(() => decodeKmpFrame(hex(bytes)))).toEqual(expected));
  }

  it(`a frame longer than ${KMP_MAX_FRAME} bytes`, () => {
    const long = Buffer.alloc(KMP_MAX_FRAME + 1, 0x11);
    long[0] = 0x80;
    long[long.length - 1] = 0x0d;
    expect(errorOf(() => decodeKmpFrame(long))).toEqual({ code: 'bad-frame', offset: KMP_MAX_FRAME, where: 'frame' });
  });

  it('stuffs every one of the five bytes and decodes them back', () => {
    const data = hex('06 0d 1b 40 80 00 ff');
    const physical = encodeKmpFrame({ toMeter: false, dest: 0x3f, cid: 0x10, data });
    expect(physical.subarray(3, 13).toString('hex')).toBe('1bf91bf21be41bbf1b7f');
    expect(decodeKmpFrame(physical).data.toString('hex')).toBe(data.toString('hex'));
  });

  it('refuses a destination or CID that is not a byte', () => {
    expect(errorOf(() => encodeKmpFrame({ toMeter: true, dest: 256, cid: 1, data: Buffer.alloc(0) }))).toEqual({ code: 'bad-value', offset: 0, where: 'data-link' });
  });
});

describe('KmpFrameReader', () => {
  const request = getRegisterRequest([60, 68]);
  const answer = hex('403f0201234567e9560d');

  it('skips an echo, reads the answer, whatever the chunks', () => {
    const stream = Buffer.concat([request, answer]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const reader = new KmpFrameReader();
      const events = [...reader.push(stream.subarray(0, cut)), ...reader.push(stream.subarray(cut)), ...reader.flush()];
      expect(events.map(show)).toEqual(['to-meter 10', 'from-meter 02']);
    }
  });

  it('gives ACKs, garbage before a frame, and a frame cut off by the next start byte', () => {
    const reader = new KmpFrameReader();
    const events = reader.push(hex('06 aa bb 40 3f 02 01 80 3f 02 35 e9 0d 06'));
    expect(events.map(show)).toEqual(['ack', 'garbage bad-frame 0 aabb', 'garbage truncated 4 403f0201', 'to-meter 02', 'ack']);
  });

  it('reports a frame with a bad CRC as garbage with its error, and a half frame on flush', () => {
    const reader = new KmpFrameReader();
    const bad = Buffer.from(answer);
    bad[5] = (bad[5] ?? 0) ^ 0x01;
    expect(reader.push(bad).map(show)).toEqual([`garbage bad-crc 6 ${bad.toString('hex')}`]);
    expect(reader.push(getSerialNoRequest().subarray(0, 3)).map(show)).toEqual([]);
    expect(reader.flush().map(show)).toEqual(['garbage truncated 3 803f02']);
    expect(reader.flush()).toEqual([]);
  });

  it(`gives up on a run of ${KMP_MAX_FRAME} bytes without a stop byte and resynchronises`, () => {
    const reader = new KmpFrameReader();
    const run = Buffer.alloc(KMP_MAX_FRAME + 10, 0x11);
    run[0] = 0x40;
    const events = [...reader.push(run), ...reader.push(answer)];
    expect(events.map(show)).toEqual([`garbage bad-frame ${KMP_MAX_FRAME} ${run.subarray(0, KMP_MAX_FRAME).toString('hex')}`, 'garbage bad-frame 0 ' + '11'.repeat(10), 'from-meter 02']);
  });
});

describe('KmpFrameReader on random streams', () => {
  it('gives the same events however 2,000 streams of frames, ACKs and noise are chunked', () => {
    const { int, next } = createRng(0x4b4d50);
    const pieces = [getRegisterRequest([60, 0x80, 0x0d06]), getSerialNoRequest(), Buffer.from('403f0201234567e9560d', 'hex'), Buffer.from([0x06])];
    for (let run = 0; run < 2000; run++) {
      const parts: Buffer[] = [];
      for (let n = int(8); n > 0; n--) {
        if (next() < 0.3) parts.push(Buffer.from(Array.from({ length: 1 + int(12) }, () => int(256))));
        else {
          const p = Buffer.from(pieces[int(pieces.length)] as Buffer);
          if (next() < 0.2) p[int(p.length)] = int(256);
          parts.push(next() < 0.2 ? p.subarray(0, int(p.length)) : p);
        }
      }
      const stream = Buffer.concat(parts);
      const whole = new KmpFrameReader();
      const expected = [...whole.push(stream), ...whole.flush()].map(showAll);
      const chunked = new KmpFrameReader();
      const got: string[] = [];
      for (let at = 0; at < stream.length; ) {
        const len = 1 + int(7);
        got.push(...chunked.push(stream.subarray(at, at + len)).map(showAll));
        at += len;
      }
      got.push(...chunked.flush().map(showAll));
      expect(got).toEqual(expected);
    }
  });
});

function show(ev: KmpReadEvent): string {
  if ('ack' in ev) return 'ack';
  if ('garbage' in ev) return `garbage ${ev.error.code} ${ev.error.offset} ${ev.garbage.toString('hex')}`;
  return `${ev.toMeter ? 'to-meter' : 'from-meter'} ${ev.cid.toString(16).padStart(2, '0')}`;
}

function showAll(ev: KmpReadEvent): string {
  return 'cid' in ev ? `${show(ev)} ${ev.dest} ${ev.data.toString('hex')}` : show(ev);
}
