import { describe, expect, it } from 'vitest';
import { vectorsOf } from '../../test/support/protocol-vectors-of.js';
import { DlmsError } from './errors.js';
import {
  LLC_REQUEST, LLC_RESPONSE, crc16X25, decodeHdlcFrame, encodeHdlcFrame, encodeHdlcParameters, encodeHdlcPush,
  parseHdlcParameters, stripLlc, type HdlcFrame,
} from './hdlc.js';
import { thrown } from '../../test/support/thrown.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

const fails = (f: () => unknown): DlmsError => thrown(DlmsError, f);

describe('crc16X25', () => {
  it('gives the check value 906E over "123456789"', () => {
    expect(crc16X25(Buffer.from('123456789'))).toBe(0x906e);
  });
});

describe('the hdlc-frame vectors', () => {
  for (const v of vectorsOf('hdlc-frame')) {
    it(`${v.description.split(':')[0]}: decodes, and re-encodes byte for byte`, () => {
      const bytes = hex(v.input_hex);
      const f = decodeHdlcFrame(bytes);
      const control = bytes[bytes.length - (f.info.length > 0 ? 6 + f.info.length : 4)];
      expect(control?.toString(16)).toBe(v.expected['control']);
      expect(f.info.toString('hex')).toBe(v.expected['info_hex']);
      expect(encodeHdlcFrame(f).toString('hex')).toBe(v.input_hex);
    });
  }

  it('reads the addresses, control and parameters the descriptions name', () => {
    const [snrm, ua, aarq, aare] = vectorsOf('hdlc-frame').map((v) => decodeHdlcFrame(hex(v.input_hex)));
    expect(snrm).toEqual({ segmented: false, dest: { upper: 1, lower: 17, size: 2 }, src: { upper: 16, size: 1 }, control: { kind: 'SNRM', pf: true }, info: Buffer.alloc(0) });
    expect(ua?.control).toEqual({ kind: 'UA', pf: true });
    expect(ua?.dest).toEqual({ upper: 16, size: 1 });
    expect(parseHdlcParameters(ua?.info ?? Buffer.alloc(0))).toEqual({ maxInfoTx: 154, maxInfoRx: 154, windowTx: 1, windowRx: 1 });
    expect(encodeHdlcParameters({ maxInfoTx: 154, maxInfoRx: 154, windowTx: 1, windowRx: 1 })).toEqual(ua?.info);
    expect(aarq?.control).toEqual({ kind: 'I', ns: 0, nr: 0, pf: true });
    expect(stripLlc(aarq?.info ?? Buffer.alloc(0), LLC_REQUEST)?.[0]).toBe(0x60);
    expect(aare?.control).toEqual({ kind: 'I', ns: 0, nr: 1, pf: true });
    expect(stripLlc(aare?.info ?? Buffer.alloc(0), LLC_RESPONSE)?.[0]).toBe(0x61);
    expect(stripLlc(aare?.info ?? Buffer.alloc(0), LLC_REQUEST)).toBeNull();
  });
});

describe('the dlms-hdlc-plain-push vector', () => {
  const [push] = vectorsOf('dlms-hdlc-plain-push');
  const bytes = hex(push?.input_hex ?? '');

  it('is a 579-byte UI frame from server 4/65 (08 83) to client 32 (41), LLC E6E700, a DataNotification', () => {
    const f = decodeHdlcFrame(bytes);
    expect(bytes.subarray(1, 3).toString('hex')).toBe('a243');
    expect(bytes.length).toBe(579 + 2);
    expect(f.segmented).toBe(false);
    expect(f.dest).toEqual({ upper: 32, size: 1 });
    expect(f.src).toEqual({ upper: 4, lower: 65, size: 2 });
    expect(f.control).toEqual({ kind: 'UI', pf: true });
    expect(f.info.length).toBe(579 - 2 - 1 - 2 - 1 - 2 - 2); // format, dest, src, control, HCS, FCS
    const apdu = stripLlc(f.info, LLC_RESPONSE);
    expect(apdu?.subarray(0, 5).toString('hex')).toBe('0f40000000');
    expect(apdu?.[5]).toBe(0x00); // no date-time
  });

  it('re-encodes byte for byte, through encodeHdlcFrame and encodeHdlcPush', () => {
    const f = decodeHdlcFrame(bytes);
    expect(encodeHdlcFrame(f)).toEqual(bytes);
    expect(encodeHdlcPush(f.info.subarray(3), { dest: f.dest, src: f.src })).toEqual(bytes);
  });

  it('decodes without its flags too', () => {
    expect(decodeHdlcFrame(bytes.subarray(1, bytes.length - 1)).info.length).toBe(569);
  });
});

describe('encodeHdlcFrame', () => {
  const base: HdlcFrame = { segmented: false, dest: { upper: 1, size: 1 }, src: { upper: 16, size: 1 }, control: { kind: 'RR', nr: 5, pf: true }, info: Buffer.alloc(0) };

  it('sets the segmentation bit, a 4-byte address and RR/RNR with N(R)', () => {
    const f: HdlcFrame = { ...base, segmented: true, dest: { upper: 0x3fff, lower: 0x1234, size: 4 }, info: Buffer.from([1, 2, 3]) };
    const bytes = encodeHdlcFrame(f);
    expect(bytes.subarray(0, 7).toString('hex')).toBe('7ea80f' + 'fefe4869');
    expect(bytes[7]).toBe(0x21);
    expect(bytes[8]).toBe(0xb1);
    expect(decodeHdlcFrame(bytes)).toEqual(f);
    expect(decodeHdlcFrame(encodeHdlcFrame({ ...base, control: { kind: 'RNR', nr: 2, pf: false } })).control).toEqual({ kind: 'RNR', nr: 2, pf: false });
  });

  it('encodes each unnumbered frame with and without P/F', () => {
    const kinds = ['SNRM', 'UA', 'DISC', 'DM', 'FRMR', 'UI'] as const;
    const bytes = kinds.map((kind) => encodeHdlcFrame({ ...base, control: { kind, pf: true } })[5]);
    expect(bytes).toEqual([0x93, 0x73, 0x53, 0x1f, 0x97, 0x13]);
    expect(encodeHdlcFrame({ ...base, control: { kind: 'UI', pf: false } })[5]).toBe(0x03);
  });

  it('refuses a frame longer than 2047 bytes and addresses that do not fit', () => {
    expect(encodeHdlcFrame({ ...base, info: Buffer.alloc(2047 - 9) }).length).toBe(2049);
    const e = fails(() => encodeHdlcFrame({ ...base, info: Buffer.alloc(2047 - 8) }));
    expect([e.code, e.where]).toEqual(['bad-value', 'frame']);
    expect(fails(() => encodeHdlcFrame({ ...base, src: { upper: 128, size: 1 } })).code).toBe('bad-value');
    expect(fails(() => encodeHdlcFrame({ ...base, dest: { upper: 1, lower: 128, size: 2 } })).code).toBe('bad-value');
    expect(fails(() => encodeHdlcFrame({ ...base, control: { kind: 'I', ns: 8, nr: 0, pf: true } })).code).toBe('bad-value');
  });
});

describe('decodeHdlcFrame errors: code and offset', () => {
  const aarq = hex(vectorsOf('hdlc-frame')[2]?.input_hex ?? '');
  const snrm = hex(vectorsOf('hdlc-frame')[0]?.input_hex ?? '');
  const flip = (b: Buffer, at: number): Buffer => {
    const c = Buffer.from(b);
    c[at] = (c[at] ?? 0) ^ 0x01;
    return c;
  };
  const cases: Array<[string, Buffer, string, number]> = [
    ['bad HCS', flip(aarq, 7), 'bad-hcs', 7],
    ['an altered HCS byte', flip(aarq, 8), 'bad-hcs', 7],
    ['bad FCS (info altered)', flip(aarq, 20), 'bad-fcs', aarq.length - 3],
    ['bad FCS without info', flip(snrm, 7), 'bad-fcs', 7],
    ['truncated', aarq.subarray(0, 30), 'truncated', 30],
    ['no format', Buffer.from([0x7e, 0xa0]), 'truncated', 1],
    ['format type not A', flip(Buffer.from(snrm), 1).fill(0x90, 1, 2), 'bad-frame', 1],
    ['length below 7', Buffer.from('7ea0050223217e', 'hex'), 'bad-length', 1],
    ['bytes after the closing flag', Buffer.concat([snrm, Buffer.from([0x00])]), 'bad-length', 9],
    ['no closing flag', Buffer.concat([snrm.subarray(0, 9), Buffer.from([0x00])]), 'bad-frame', 9],
    ['an address of 3 bytes', Buffer.from('7ea009022221219300007e', 'hex'), 'bad-frame', 3],
    ['an unknown control byte', encodeWithControl(snrm, 0x0b), 'bad-frame', 6],
  ];
  for (const [name, bytes, code, offset] of cases) {
    it(`${name}: ${code} at ${offset}`, () => {
      const e = fails(() => decodeHdlcFrame(bytes));
      expect([e.code, e.offset, e.where]).toEqual([code, offset, 'frame']);
    });
  }
});

/** The SNRM with another control byte and a valid FCS, so only the control byte is wrong. */
function encodeWithControl(snrm: Buffer, control: number): Buffer {
  const c = Buffer.from(snrm);
  c[6] = control;
  c.writeUInt16LE(crc16X25(c, 1, 7), 7);
  return c;
}

describe('parseHdlcParameters', () => {
  it('reads 2- and 4-byte values, takes defaults for what is left out, and checks lengths', () => {
    expect(parseHdlcParameters(hex('818007 0502 07ee 0801 07'))).toEqual({ maxInfoTx: 2030, maxInfoRx: 128, windowTx: 1, windowRx: 7 });
    expect(parseHdlcParameters(Buffer.alloc(0))).toEqual({ maxInfoTx: 128, maxInfoRx: 128, windowTx: 1, windowRx: 1 });
    expect(encodeHdlcParameters({ maxInfoTx: 2030, maxInfoRx: 128, windowTx: 1, windowRx: 7 }).toString('hex')).toBe('818013050207ee060180070400000001080400000007');
    const e1 = fails(() => parseHdlcParameters(hex('818005 0503 000100')));
    expect([e1.code, e1.offset]).toEqual(['bad-length', 4]);
    const e2 = fails(() => parseHdlcParameters(hex('818004 0501 9a')));
    expect([e2.code, e2.offset]).toEqual(['bad-length', 2]);
    const e3 = fails(() => parseHdlcParameters(hex('818003 0901 01')));
    expect([e3.code, e3.offset]).toEqual(['bad-tag', 3]);
    const e4 = fails(() => parseHdlcParameters(hex('818003 0701 09')));
    expect([e4.code, e4.offset]).toEqual(['bad-value', 5]);
  });
});
