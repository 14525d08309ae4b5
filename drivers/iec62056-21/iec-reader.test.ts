import { describe, expect, it } from 'vitest';
import { BREAK, IecReader, encodeIdentification, encodeReadout, optionSelect, signOnRequest, type IecReadItem } from './index.js';

const summary = (items: IecReadItem[]): string[] =>
  items.map((i) => {
    if ('garbage' in i) return `garbage ${i.garbage.toString('hex')} ${i.error.code}@${i.error.offset}`;
    if ('identification' in i) return `identification ${i.identification.manufacturer} ${i.identification.baud}${i.identification.modeE ? ' E' : ''}`;
    if ('signOn' in i) return `sign-on ${i.signOn.address ?? '-'}`;
    if ('readout' in i) return `readout ${i.readout.length}`;
    if ('ack' in i) return `ack ${i.ack === null ? 'bare' : `${i.ack.protocol}${i.ack.baudChar}${i.ack.mode}`}`;
    if ('nak' in i) return 'nak';
    return 'break';
  });

const ident = encodeIdentification({ manufacturer: 'KAM', baudChar: '5', modeE: true, ident: 'OMNIPOWER' });
const readout = encodeReadout([{ id: '1.8.0', value: '1.5', unit: 'kWh' }, { id: '32.7.0', value: '230', unit: 'V' }]);

describe('IecReader', () => {
  it('reads a whole mode C session from the meter side and the reader side, one byte at a time', () => {
    const stream = Buffer.concat([signOnRequest('42'), ident, optionSelect({ protocol: 0, baudChar: '5', mode: 0 }), readout, BREAK, Buffer.from([0x15, 0x06])]);
    const r = new IecReader();
    const items: IecReadItem[] = [];
    for (const b of stream) items.push(...r.push(Buffer.from([b])));
    items.push(...r.flush());
    expect(summary(items)).toEqual(['sign-on 42', 'identification KAM 9600 E', 'ack 050', 'readout 2', 'break', 'nak', 'ack bare']);
    const got = items.find((i) => 'readout' in i);
    expect(got && 'readout' in got ? got.bytes : undefined).toEqual(readout);
  });

  it('reports garbage with its error and carries on at the next message', () => {
    const badBcc = Buffer.from(readout);
    badBcc[badBcc.length - 1] = (badBcc[badBcc.length - 1] ?? 0) ^ 0xff;
    const r = new IecReader();
    const items = [
      ...r.push(Buffer.concat([Buffer.from('xyz'), ident, Buffer.from('/I5K5\r\n'), badBcc, Buffer.from('0600', 'hex')])),
      ...r.push(Buffer.concat([Buffer.from('0142310371', 'hex'), Buffer.from('/?12')])),
      ...r.flush(),
    ];
    expect(summary(items)).toEqual([
      'garbage 78797a bad-block@0',
      'identification KAM 9600 E',
      `garbage ${Buffer.from('/I5K5\r\n').toString('hex')} bad-identification@1`,
      `garbage ${badBcc.toString('hex')} bad-bcc@${badBcc.length - 1}`,
      'ack bare',
      'garbage 00 bad-block@0',
      'garbage 0142310371 bad-block@1',
      `garbage ${Buffer.from('/?12').toString('hex')} truncated@4`,
    ]);
  });

  it('gives up on a line without LF after 41 bytes and a block without ETX after 64 KiB', () => {
    const r = new IecReader();
    const long = r.push(Buffer.from(`/${'A'.repeat(45)}`));
    expect(summary(long)).toEqual([`garbage ${Buffer.from(`/${'A'.repeat(45)}`).toString('hex')} bad-identification@41`]);
    expect(r.push(Buffer.concat([Buffer.from([0x02]), Buffer.alloc(65_536, 0x41)])).map((i) => ('garbage' in i ? `${i.garbage.length} ${i.error.code}` : '?'))).toEqual(['65537 bad-block']);
    expect(r.flush()).toEqual([]);
  });

  it('at flush, reads the messages an unfinished block had held back', () => {
    const r = new IecReader();
    expect(r.push(Buffer.concat([Buffer.from('024141', 'hex'), ident, Buffer.from([0x15])]))).toEqual([]);
    expect(summary(r.flush())).toEqual(['garbage 024141 truncated@3', 'identification KAM 9600 E', 'nak']);
  });
});
