import { describe, expect, it } from 'vitest';
import { vectorsOf } from '../../test/support/protocol-vectors-of.js';
import { HdlcFrameReader, encodeHdlcFrame, type HdlcReadItem } from './hdlc.js';

const frames = vectorsOf('hdlc-frame').map((v) => Buffer.from(v.input_hex, 'hex'));
const push = Buffer.from(vectorsOf('dlms-hdlc-plain-push')[0]?.input_hex ?? '', 'hex');

const summary = (items: HdlcReadItem[]): string[] =>
  items.map((i) => ('frame' in i ? `frame ${i.bytes.length}` : `garbage ${i.garbage.toString('hex')} ${i.error.code}@${i.error.offset}`));

describe('HdlcFrameReader', () => {
  it('reads frames fed one byte at a time, a 7E inside the information field included', () => {
    const r = new HdlcFrameReader();
    const items: HdlcReadItem[] = [];
    const flagInside = encodeHdlcFrame({ segmented: false, dest: { upper: 16, size: 1 }, src: { upper: 1, size: 1 }, control: { kind: 'UI', pf: true }, info: Buffer.from('e6e7007e7e7ea07e', 'hex') });
    const all = [...frames, flagInside, push];
    for (const b of Buffer.concat(all)) items.push(...r.push(Buffer.from([b])));
    expect(summary(items)).toEqual(all.map((f) => `frame ${f.length}`));
    expect(items.flatMap((i) => ('frame' in i ? [i.bytes] : []))).toEqual(all);
    expect(items.map((i) => ('frame' in i ? i.frame.info.toString('hex') : ''))[4]).toBe('e6e7007e7e7ea07e');
    expect(r.flush()).toEqual([]);
  });

  it('reads frames that share their flags, and skips idle flags', () => {
    const [snrm, ua] = frames;
    const shared = Buffer.concat([Buffer.from([0x7e, 0x7e]), snrm ?? Buffer.alloc(0), (ua ?? Buffer.alloc(0)).subarray(1), Buffer.from([0x7e])]);
    const items = new HdlcFrameReader().push(shared);
    expect(summary(items)).toEqual(['frame 10', 'frame 33']);
    expect(items.map((i) => ('frame' in i ? i.frame.control.kind : 'garbage'))).toEqual(['SNRM', 'UA']);
  });

  it('reports garbage before, between and after frames with its error, then carries on', () => {
    const [snrm, ua] = frames;
    const broken = Buffer.from(ua ?? Buffer.alloc(0));
    broken[20] = (broken[20] ?? 0) ^ 0xff; // an information byte: the FCS no longer matches
    const r = new HdlcFrameReader();
    const items = [
      ...r.push(Buffer.concat([Buffer.from('0102', 'hex'), snrm ?? Buffer.alloc(0), Buffer.from('55', 'hex')])),
      ...r.push(Buffer.concat([broken, Buffer.from('7e0011', 'hex'), snrm ?? Buffer.alloc(0)])),
      ...r.push(Buffer.from('7ea0', 'hex')),
      ...r.flush(),
    ];
    expect(summary(items)).toEqual([
      'garbage 0102 bad-frame@0',
      'frame 10',
      'garbage 55 bad-frame@0',
      `garbage ${broken.subarray(0, broken.length - 1).toString('hex')} bad-fcs@30`,
      'garbage 7e0011 bad-frame@1',
      'frame 10',
      'garbage 7ea0 truncated@2',
    ]);
  });

  it('waits for a frame of the largest length, and no longer: the next flag is read after it', () => {
    const r = new HdlcFrameReader();
    // A format claiming 2047 bytes: held until 2049 bytes are there, then refused, never more.
    expect(r.push(Buffer.from('7ea7ff', 'hex'))).toEqual([]);
    expect(r.push(Buffer.alloc(2040, 0x11))).toEqual([]);
    const items = r.push(Buffer.concat([Buffer.alloc(6, 0x11), frames[0] ?? Buffer.alloc(0)]));
    expect(summary(items).map((s) => s.replace(/garbage \w+ /, 'garbage '))).toEqual(['garbage bad-frame@2048', 'frame 10']);
    expect(items.map((i) => ('garbage' in i ? i.garbage.length : i.bytes.length))).toEqual([2049, 10]);
  });

  it('at flush, reads the frames a corrupted length had held back', () => {
    const [snrm, ua] = frames;
    const r = new HdlcFrameReader();
    // A format claiming 2047 bytes, then two real frames: the reader waits for the long one.
    expect(r.push(Buffer.concat([Buffer.from('7ea7ff0102', 'hex'), snrm ?? Buffer.alloc(0), ua ?? Buffer.alloc(0)]))).toEqual([]);
    expect(summary(r.flush())).toEqual(['garbage 7ea7ff0102 truncated@5', 'frame 10', 'frame 33']);
    expect(r.push(snrm ?? Buffer.alloc(0)).length).toBe(1);
  });
});
