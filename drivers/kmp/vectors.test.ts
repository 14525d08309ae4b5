import { describe, expect, it } from 'vitest';
import { kmpVectors } from '../../test/support/kmp-vectors.js';
import {
  crc16Xmodem, decodeKmpFrame, decodeKmpValue, encodeGetRegisterResponse, encodeGetSerialNoResponse, encodeKmpFrame, encodeKmpValue,
  parseGetRegisterResponse, parseGetSerialNoResponse, stuffKmp, unstuffKmp,
} from './index.js';

// Every `kmp` and `kmp-float` vector of test/fixtures/protocol-vectors.json, byte for byte both ways.

const hex = (s: string): Buffer => Buffer.from(s, 'hex');

describe('KMP vectors', () => {
  it('are there: six frames and one value', () => {
    expect(kmpVectors.filter((v) => v.kind === 'kmp')).toHaveLength(6);
    expect(kmpVectors.filter((v) => v.kind === 'kmp-float')).toHaveLength(1);
  });

  it('CRC-16/XMODEM has the check value 31C3', () => {
    expect(crc16Xmodem(Buffer.from('123456789'))).toBe(0x31c3);
  });

  for (const v of kmpVectors.filter((x) => x.kind === 'kmp')) {
    it(v.description, () => {
      const link = hex(v.input_hex);
      const physical = hex(v.expected.physical_frame ?? '');
      const toMeter = physical[0] === 0x80;
      if (v.expected.crc === undefined) {
        // The stuffing example: the bytes between start and stop, no CRC.
        expect(stuffKmp(link, toMeter).toString('hex')).toBe(v.expected.physical_frame);
        expect(unstuffKmp(physical, 1, physical.length - 1).toString('hex')).toBe(v.input_hex);
        return;
      }
      expect(crc16Xmodem(link).toString(16).padStart(4, '0')).toBe(v.expected.crc);
      const frame = { toMeter, dest: link[0] as number, cid: link[1] as number, data: link.subarray(2) };
      expect(encodeKmpFrame(frame).toString('hex')).toBe(v.expected.physical_frame);
      const decoded = decodeKmpFrame(physical);
      expect({ ...decoded, data: decoded.data.toString('hex') }).toEqual({ ...frame, data: link.subarray(2).toString('hex') });
      const serial = v.expected.decoded?.serial;
      if (serial !== undefined) {
        expect(parseGetSerialNoResponse(decoded)).toBe(serial);
        expect(encodeGetSerialNoResponse(serial).toString('hex')).toBe(v.expected.physical_frame);
      }
      const registers = v.expected.decoded?.registers;
      if (registers !== undefined) {
        const values = parseGetRegisterResponse(decoded, registers.map((r) => r.rid));
        expect(values.map((r) => ({ rid: r.rid, unit: r.unit, value: r.text }))).toEqual(registers.map((r) => ({ rid: r.rid, unit: r.unit, value: r.value })));
        expect(values[0]?.value).toBe(Number(registers[0]?.value));
        expect(values[0]?.unitName).toBe('kW');
        const back = encodeGetRegisterResponse(registers.map((r) => ({ rid: r.rid, unit: r.unit, value: r.value, length: r.length })));
        expect(back.toString('hex')).toBe(v.expected.physical_frame);
        // The bytes of the value as the vector spells them out.
        const r = registers[0];
        expect(encodeKmpValue(r?.value ?? '', r?.unit ?? 0).toString('hex')).toBe(`${(r?.unit ?? 0).toString(16).padStart(2, '0')}0${r?.length}${r?.si_se}${r?.mantissa}`);
      }
    });
  }

  for (const v of kmpVectors.filter((x) => x.kind === 'kmp-float')) {
    it(v.description, () => {
      // The vector is LEN SISE MANTISSA; a register value has its unit byte before it.
      const withUnit = Buffer.concat([Buffer.from([0x25]), hex(v.input_hex)]);
      const d = decodeKmpValue(withUnit, 0);
      expect(d).toEqual({ unit: 0x25, value: 0.251, text: v.expected.value, end: withUnit.length });
      expect(encodeKmpValue(v.expected.value ?? '', 0x25, { length: 2 }).subarray(1).toString('hex')).toBe(v.input_hex);
      expect(encodeKmpValue(0.251, 0x25, { length: 2 }).subarray(1).toString('hex')).toBe(v.input_hex);
    });
  }
});
