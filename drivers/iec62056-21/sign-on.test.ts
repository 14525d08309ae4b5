import { describe, expect, it } from 'vitest';
import { vectorsOf } from '../../test/support/protocol-vectors-of.js';
import { IecError } from './errors.js';
import {
  BREAK, baudCharOf, baudOf, bcc, encodeIdentification, handOver, optionSelect, parseIdentification, parseOptionSelect,
  parseSignOnRequest, signOnRequest,
} from './index.js';
import { thrown } from '../../test/support/thrown.js';

const [vector] = vectorsOf('iec62056-21');
const expected = (key: string): string => String(vector?.expected[key]);

const fails = (f: () => unknown): IecError => thrown(IecError, f);

describe('the iec62056-21 vector, both ways', () => {
  it('sign-on /?!CR LF', () => {
    expect(signOnRequest().toString('hex')).toBe(vector?.input_hex);
    expect(parseSignOnRequest(Buffer.from(vector?.input_hex ?? '', 'hex'))).toEqual({});
  });

  it('option select for mode C readout at 9600 and for mode E (HDLC) at 9600', () => {
    expect(optionSelect({ protocol: 0, baudChar: '5', mode: 0 }).toString('hex')).toBe(expected('ack_mode_c_9600'));
    expect(optionSelect({ protocol: 2, baudChar: baudCharOf(9600, 'E'), mode: 2 }).toString('hex')).toBe(expected('ack_mode_e_9600'));
    expect(parseOptionSelect(Buffer.from(expected('ack_mode_c_9600'), 'hex'))).toEqual({ protocol: 0, baudChar: '5', mode: 0, baud: 9600 });
    expect(parseOptionSelect(Buffer.from(expected('ack_mode_e_9600'), 'hex'))).toEqual({ protocol: 2, baudChar: '5', mode: 2, baud: 9600 });
  });

  it('break SOH B 0 ETX BCC, the BCC over the bytes after SOH', () => {
    expect(BREAK.toString('hex')).toBe(expected('break_seq'));
    expect(bcc(BREAK, 1, 4).toString(16)).toBe(expected('bcc_check'));
  });
});

describe('sign-on with an address', () => {
  it('puts the address between ? and !, and refuses one that is not', () => {
    expect(signOnRequest('12345678').toString('latin1')).toBe('/?12345678!\r\n');
    expect(parseSignOnRequest(Buffer.from('/?12345678!\r\n'))).toEqual({ address: '12345678' });
    expect(fails(() => signOnRequest('a!b')).code).toBe('bad-value');
    expect(fails(() => signOnRequest('x'.repeat(33))).code).toBe('bad-value');
    expect(fails(() => parseSignOnRequest(Buffer.from('/?1!\n'))).code).toBe('bad-identification');
  });
});

describe('identification', () => {
  it('reads manufacturer, baud character, \\2 (mode E), the reaction time and the ident', () => {
    expect(parseIdentification(Buffer.from('/ISk5\\2MT382-1000\r\n'))).toEqual({
      manufacturer: 'ISk', baudChar: '5', baud: 9600, mode: 'C', modeE: true, reactionMs: 20, ident: 'MT382-1000',
    });
    expect(parseIdentification(Buffer.from('/LGZ4ZMF100AC.M29\r\n'))).toMatchObject({ manufacturer: 'LGZ', baud: 4800, mode: 'C', modeE: false, reactionMs: 200, ident: 'ZMF100AC.M29' });
    expect(parseIdentification(Buffer.from('/ABCEmeter\r\n'))).toMatchObject({ baudChar: 'E', baud: 9600, mode: 'B' });
    expect(parseIdentification(Buffer.from('/KAM 68438BC450000\r\n'))).toMatchObject({ manufacturer: 'KAM', baudChar: ' ', baud: 300, mode: 'A', ident: '68438BC450000' });
  });

  it('encodes the same lines back, the third letter following the reaction time', () => {
    for (const line of ['/ISk5\\2MT382-1000\r\n', '/LGZ4ZMF100AC.M29\r\n', '/KAM 68438BC450000\r\n']) {
      expect(encodeIdentification(parseIdentification(Buffer.from(line))).toString('latin1')).toBe(line);
    }
    expect(encodeIdentification({ manufacturer: 'KAM', baudChar: '6', modeE: true, ident: 'OMNIPOWER', reactionMs: 20 }).toString('latin1')).toBe('/KAm6\\2OMNIPOWER\r\n');
    expect(fails(() => encodeIdentification({ manufacturer: 'K1M', baudChar: '6', modeE: false, ident: '' })).code).toBe('bad-value');
  });

  const cases: Array<[string, string, string, number]> = [
    ['no slash', 'ISK5MT382\r\n', 'bad-identification', 0],
    ['too short', '/ISK\r\n', 'truncated', 6],
    ['no CR LF', '/ISK5MT382\n\n', 'bad-identification', 10],
    ['a digit among the letters', '/I5K5MT382\r\n', 'bad-identification', 1],
    ['a reserved baud character', '/ISK7MT382\r\n', 'bad-identification', 4],
    ['\\ without a digit', '/ISK5\\xMT382\r\n', 'bad-identification', 6],
    ['an ! in the ident', '/ISK5MT!382\r\n', 'bad-identification', 5],
    ['an ident of 33 characters', `/ISK5${'x'.repeat(33)}\r\n`, 'bad-identification', 5],
  ];
  for (const [name, line, code, offset] of cases) {
    it(`refuses ${name}: ${code} at ${offset}`, () => {
      const e = fails(() => parseIdentification(Buffer.from(line, 'latin1')));
      expect([e.code, e.offset]).toEqual([code, offset]);
    });
  }
});

describe('baud characters', () => {
  it('0..6 for modes C and E, A..F for mode B, and back', () => {
    expect(['0', '1', '2', '3', '4', '5', '6'].map(baudOf)).toEqual([300, 600, 1200, 2400, 4800, 9600, 19200]);
    expect(['A', 'B', 'C', 'D', 'E', 'F'].map(baudOf)).toEqual([600, 1200, 2400, 4800, 9600, 19200]);
    expect(baudCharOf(19200, 'C')).toBe('6');
    expect(baudCharOf(2400, 'B')).toBe('C');
    expect(fails(() => baudCharOf(300, 'B')).code).toBe('bad-value');
    expect(fails(() => baudOf('7')).code).toBe('bad-value');
    expect(fails(() => baudOf('G')).code).toBe('bad-value');
  });
});

describe('option select errors', () => {
  const cases: Array<[string, string, string, number]> = [
    ['no ACK', '153035300d0a', 'bad-value', 0],
    ['too short', '0630350d', 'truncated', 4],
    ['protocol 1', '063135300d0a', 'bad-value', 1],
    ['baud character 7', '063037300d0a', 'bad-value', 2],
    ['mode 3', '063035330d0a', 'bad-value', 3],
    ['no CR LF', '063035300a0d', 'bad-value', 4],
  ];
  for (const [name, hex, code, offset] of cases) {
    it(`${name}: ${code} at ${offset}`, () => {
      const e = fails(() => parseOptionSelect(Buffer.from(hex, 'hex')));
      expect([e.code, e.offset]).toEqual([code, offset]);
    });
  }
  it('refuses to encode a mode B baud character or a mode 3', () => {
    expect(fails(() => optionSelect({ protocol: 0, baudChar: 'E', mode: 0 })).code).toBe('bad-value');
    expect(fails(() => optionSelect({ protocol: 0, baudChar: '5', mode: 3 as 0 })).code).toBe('bad-value');
  });
});

describe('handOver', () => {
  const omnipower = parseIdentification(Buffer.from('/KAM5\\2OMNIPOWER\r\n'));

  it('mode E: the option select of the vector, then 8N1 at the meter speed or below the limit', () => {
    const h = handOver(omnipower, { to: 'hdlc' });
    expect([h.ack.toString('hex'), h.baud, h.framing]).toEqual([expected('ack_mode_e_9600'), 9600, '8N1']);
    expect(handOver(omnipower, { to: 'hdlc', maxBaud: 5000 }).ack.toString('latin1')).toBe('\x06242\r\n');
  });

  it('mode C readout stays 7E1; modes A and B send no option select; HDLC needs \\2', () => {
    const h = handOver(omnipower, { to: 'readout' });
    expect([h.ack.toString('hex'), h.baud, h.framing]).toEqual([expected('ack_mode_c_9600'), 9600, '7E1']);
    const modeA = parseIdentification(Buffer.from('/KAM 68438BC450000\r\n'));
    expect(handOver(modeA, { to: 'readout' })).toEqual({ ack: Buffer.alloc(0), baud: 300, framing: '7E1' });
    expect(handOver(parseIdentification(Buffer.from('/ABCDx\r\n')), { to: 'readout' })).toEqual({ ack: Buffer.alloc(0), baud: 4800, framing: '7E1' });
    expect(fails(() => handOver(modeA, { to: 'hdlc' })).code).toBe('bad-value');
    expect(fails(() => handOver(omnipower, { to: 'readout', maxBaud: 200 })).code).toBe('bad-value');
  });
});
