import { describe, expect, it } from 'vitest';
import { dlmsVector, fromExpected, hex, type ExpectedData } from '../../test/support/dlms-vectors.js';
import { decodeData, decodeDateTime, encodeData, encodeDateTime, MAX_DEPTH, type DlmsData } from './axdr.js';
import { DlmsError } from './errors.js';
import { thrown as thrownBy } from '../../test/support/thrown.js';

const thrown = (f: () => unknown): DlmsError => thrownBy(DlmsError, f);

describe('A-XDR', () => {
  it('decodes and re-encodes the Austrian vector body byte for byte', () => {
    const v = dlmsVector('dlms-glo-encryption-only');
    const plain = hex(v.expected.plaintext_hex as string);
    const body = plain.subarray(5 + 13); // 0F | invoke (4) | 0C + 12-byte date-time
    const { data, end } = decodeData(body);
    expect(end).toBe(body.length);
    const expected = fromExpected((v.expected.data_notification as { body: ExpectedData }).body);
    expect(data).toEqual(expected);
    expect(encodeData(expected).equals(body)).toBe(true);
  });

  it('reads and writes every type', () => {
    const cases: Array<[DlmsData, string]> = [
      [{ type: 'null' }, '00'],
      [{ type: 'boolean', value: true }, '0301'],
      [{ type: 'bit-string', value: '1010000011' }, '040aa0c0'],
      [{ type: 'int32', value: -2 }, '05fffffffe'],
      [{ type: 'uint32', value: 5009 }, '0600001391'],
      [{ type: 'visible-string', value: 'KFM' }, '0a034b464d'],
      [{ type: 'utf8-string', value: 'Zähler' }, '0c075ac3a4686c6572'],
      [{ type: 'int8', value: -1 }, '0fff'],
      [{ type: 'int16', value: -300 }, '10fed4'],
      [{ type: 'uint8', value: 200 }, '11c8'],
      [{ type: 'uint16', value: 2308 }, '120904'],
      [{ type: 'int64', value: -5n }, '14fffffffffffffffb'],
      [{ type: 'uint64', value: 2n ** 64n - 1n }, '15ffffffffffffffff'],
      [{ type: 'enum', value: 30 }, '161e'],
      [{ type: 'float32', value: 1.5 }, '173fc00000'],
      [{ type: 'float64', value: -0.25 }, '18bfd0000000000000'],
      [{ type: 'date-time', value: hex('07e30c1001073b28ff8000ff') }, '1907e30c1001073b28ff8000ff'],
      [{ type: 'date', value: hex('07e50713ff') }, '1a07e50713ff'],
      [{ type: 'time', value: hex('0f2e2300') }, '1b0f2e2300'],
      [{ type: 'array', value: [{ type: 'uint8', value: 1 }, { type: 'null' }] }, '0102110100'],
    ];
    for (const [data, bytes] of cases) {
      expect(encodeData(data).toString('hex'), data.type).toBe(bytes);
      expect(decodeData(hex(bytes)), data.type).toEqual({ data, end: bytes.length / 2 });
    }
  });

  it('writes lengths as 81 xx and 82 xx xx and reads 83/84', () => {
    const long = { type: 'octet-string', value: Buffer.alloc(200, 7) } as const;
    expect(encodeData(long).subarray(0, 3).toString('hex')).toBe('0981c8');
    const longer = { type: 'octet-string', value: Buffer.alloc(300, 7) } as const;
    expect(encodeData(longer).subarray(0, 4).toString('hex')).toBe('0982012c');
    const four = Buffer.concat([hex('098400000003'), hex('010203')]);
    expect(decodeData(four).data).toEqual({ type: 'octet-string', value: hex('010203') });
    expect(decodeData(hex('0983000002aabb')).end).toBe(7);
  });

  it('refuses bad bytes with the code and the offset', () => {
    expect(thrown(() => decodeData(hex('1301'))).code).toBe('bad-tag');
    const short = thrown(() => decodeData(hex('020206000000')));
    expect([short.code, short.offset]).toEqual(['truncated', 3]); // the uint32's value starts at 3
    const count = thrown(() => decodeData(hex('0105000000')));
    expect([count.code, count.offset]).toEqual(['bad-length', 1]);
    expect(thrown(() => decodeData(hex('0985')))).toMatchObject({ code: 'bad-length', offset: 1 });
    expect(thrown(() => decodeData(hex('00'), 0 + 1, 'plaintext'))).toMatchObject({ code: 'truncated', where: 'plaintext' });
  });

  it(`refuses nesting deeper than ${MAX_DEPTH}`, () => {
    const ok = Buffer.concat([Buffer.alloc(MAX_DEPTH * 2, 0), hex('00')]);
    for (let i = 0; i < MAX_DEPTH; i++) ok.set([0x02, 0x01], i * 2);
    expect(decodeData(ok).end).toBe(ok.length);
    const deep = Buffer.concat([Buffer.alloc((MAX_DEPTH + 1) * 2, 0), hex('00')]);
    for (let i = 0; i <= MAX_DEPTH; i++) deep.set([0x02, 0x01], i * 2);
    expect(thrown(() => decodeData(deep))).toMatchObject({ code: 'bad-value', offset: MAX_DEPTH * 2 });
  });

  it('refuses values out of range when encoding', () => {
    expect(thrown(() => encodeData({ type: 'uint8', value: 256 })).code).toBe('bad-value');
    expect(thrown(() => encodeData({ type: 'int16', value: 1.5 })).code).toBe('bad-value');
    expect(thrown(() => encodeData({ type: 'uint64', value: -1n })).code).toBe('bad-value');
    expect(thrown(() => encodeData({ type: 'date', value: Buffer.alloc(4) })).code).toBe('bad-value');
  });
});

describe('COSEM date-time', () => {
  it('decodes the vectors (LGZ CET, Austria CEST with DST status, Nordic unspecified deviation)', () => {
    expect(decodeDateTime(hex('07e0021d01081b2421ffc400'))).toEqual({
      year: 2016, month: 2, day: 29, dayOfWeek: 1, hour: 8, minute: 27, second: 36, hundredths: 33, deviationMinutes: -60, status: 0,
      iso: '2016-02-29T08:27:36.33+01:00',
    });
    expect(decodeDateTime(hex('07e50713010f2e2300ff8880'))).toMatchObject({ deviationMinutes: -120, status: 0x80, iso: '2021-07-19T15:46:35+02:00' });
    const nordic = decodeDateTime(hex('07e30c1001073b28ff8000ff'));
    expect(nordic).toEqual({ year: 2019, month: 12, day: 16, dayOfWeek: 1, hour: 7, minute: 59, second: 40, status: 0xff, iso: '2019-12-16T07:59:40' });
  });

  it('leaves out what is not specified and has no ISO text then', () => {
    const d = decodeDateTime(hex('ffffffffff0c00ffff800000'));
    expect(d).toEqual({ hour: 12, minute: 0, status: 0 });
    expect(encodeDateTime(d).toString('hex')).toBe('ffffffffff0c00ffff800000');
  });

  it('round-trips fields and writes a Date as local time of its deviation', () => {
    for (const h of ['07e0021d01081b2421ffc400', '07e50713010f2e2300ff8880', '07e30c1001073b28ff8000ff']) {
      expect(encodeDateTime(decodeDateTime(hex(h))).toString('hex')).toBe(h);
    }
    const at = new Date('2016-02-29T07:27:36.330Z');
    expect(encodeDateTime(at, -60).toString('hex')).toBe('07e0021d01081b2421ffc400');
    expect(encodeDateTime(at).toString('hex')).toBe('07e0021d01071b2421000000');
  });

  it('refuses wrong sizes and ranges', () => {
    expect(thrown(() => decodeDateTime(Buffer.alloc(11))).code).toBe('bad-length');
    expect(thrown(() => encodeDateTime({ status: 0, month: 300 })).code).toBe('bad-value');
    expect(thrown(() => encodeDateTime(new Date(0), 900)).code).toBe('bad-value');
  });
});
