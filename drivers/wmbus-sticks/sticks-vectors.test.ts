// Every receiver-stick entry of test/fixtures/protocol-vectors.json, both ways.
import { describe, expect, it } from 'vitest';
import { feed } from '../../test/support/stick-feeding.js';
import { dongleVectors } from '../../test/support/stick-vectors.js';
import { amb8465 } from './amb8465.js';
import { cul } from './cul.js';
import { im871a, IM871A_LINK_MODE } from './im871a.js';
import { iu891a } from './iu891a.js';
import { createRtlWmbusCodec, rtlwmbus } from './rtlwmbus.js';

function vectors(kind: string): typeof dongleVectors {
  return dongleVectors.filter((v) => v.kind === kind);
}
const hex = (h: string): Buffer => Buffer.from(h, 'hex');

describe('checked dongle vectors', () => {
  it('are the eight receiver-stick entries of the protocol vectors', () => {
    expect(dongleVectors.map((v) => v.kind)).toEqual([
      'wmbus-dongle-iu891a',
      'wmbus-dongle-iu891a',
      'wmbus-dongle-im871a',
      'wmbus-dongle-im871a',
      'wmbus-dongle-amb8465',
      'wmbus-dongle-amb8465',
      'wmbus-dongle-cul',
      'wmbus-rtlwmbus-line',
    ]);
  });

  it('iM871A RADIOLINK IND: telegram with L re-inserted, RSSI converted, and back', () => {
    const [v] = vectors('wmbus-dongle-im871a').filter((x) => x.expected.telegram !== undefined);
    if (!v) throw new Error('vector missing');
    const events = feed(im871a.createDecoder(), [hex(v.input_hex)]);
    expect(events).toEqual([{ kind: 'telegram', telegram: hex(String(v.expected.telegram)), rssiDbm: -30.5, offset: 0 }]);
    expect(im871a.encodeTelegram(hex(String(v.expected.telegram)), { rssiDbm: -30.5 }).toString('hex')).toBe(v.input_hex);
  });

  it('iM871A PING: the stick answers PING_RSP without CRC, and the decoder reads it', () => {
    const [v] = vectors('wmbus-dongle-im871a').filter((x) => x.expected.reply !== undefined);
    if (!v) throw new Error('vector missing');
    expect(im871a.initSequence?.('c1t1')[0]?.toString('hex')).toBe(v.input_hex);
    const reply = im871a.answer?.(hex(v.input_hex));
    expect(reply?.toString('hex')).toBe(v.expected.reply);
    expect(feed(im871a.createDecoder(), [reply ?? Buffer.alloc(0)])).toMatchObject([{ kind: 'response', endpoint: 1, msgId: 2 }]);
    expect(im871a.initSequence?.('t1')[2]?.toString('hex')).toBe(`a501030600020${IM871A_LINK_MODE.t1}300100`);
  });

  it('iU891A RX_MESSAGE_IND: metadata, signed RSSI, telegram with L, and back', () => {
    const [v] = vectors('wmbus-dongle-iu891a').filter((x) => x.input_hex !== '');
    if (!v) throw new Error('vector missing');
    const events = feed(iu891a.createDecoder(), [hex(v.input_hex)]);
    expect(events).toEqual([
      { kind: 'telegram', telegram: hex(String(v.expected.telegram)), rssiDbm: v.expected.rssi_dbm, stickMeta: hex('9f436d38000002'), offset: 0 },
    ]);
    expect(iu891a.encodeTelegram(hex(String(v.expected.telegram)), { rssiDbm: -25, stickMeta: hex('9f436d38000002') }).toString('hex')).toBe(
      v.input_hex,
    );
  });

  it('iU891A init exchange: host requests decode, and the simulated stick answers as the mock', () => {
    const [v] = vectors('wmbus-dongle-iu891a').filter((x) => x.input_hex === '');
    if (!v) throw new Error('vector missing');
    const lines = v.expected.exchange as string[];
    for (let i = 0; i < lines.length; i += 2) {
      const request = hex(String(lines[i]).slice(4));
      const reply = hex(String(lines[i + 1]).slice(4));
      expect(feed(iu891a.createDecoder(), [request]).every((e) => e.kind === 'response')).toBe(true);
      expect(feed(iu891a.createDecoder(), [reply]).every((e) => e.kind === 'response')).toBe(true);
      // The mock answers SET_ACTIVE_CONFIGURATION without a status byte; a real stick sends one
      // (wmbusmeters rejects messages shorter than 5 bytes), so our answer() keeps it.
      if (String(lines[i]).startsWith('<<< c00903')) continue;
      expect(iu891a.answer?.(request)?.toString('hex')).toBe(reply.toString('hex'));
    }
  });

  it('AMB8465 GET request has CS 0x77', () => {
    const [v] = vectors('wmbus-dongle-amb8465').filter((x) => x.expected.frame !== undefined);
    if (!v) throw new Error('vector missing');
    expect(amb8465.initSequence?.('c1t1')[0]?.toString('hex')).toBe(v.expected.frame);
  });

  it('AMB8465 DATA_IND: L from LEN minus the RSSI byte, RSSI −14.5 dBm, and back', () => {
    const [v] = vectors('wmbus-dongle-amb8465').filter((x) => x.expected.telegram !== undefined);
    if (!v) throw new Error('vector missing');
    const events = feed(amb8465.createDecoder(), [hex(v.input_hex)]);
    expect(events).toEqual([{ kind: 'telegram', telegram: hex(String(v.expected.telegram)), rssiDbm: v.expected.rssi_dbm, offset: 0 }]);
    expect(amb8465.encodeTelegram(hex(String(v.expected.telegram)), { rssiDbm: -14.5 }).toString('hex')).toBe(v.input_hex);
  });

  it('CUL format A line: CRCs checked and stripped, LQI/RSSI trailer, and back', () => {
    const [v] = vectors('wmbus-dongle-cul');
    if (!v) throw new Error('vector missing');
    const line = Buffer.from(String(v.expected.line), 'latin1');
    const events = feed(cul.createDecoder(), [line]);
    expect(events).toEqual([
      { kind: 'telegram', telegram: hex(v.input_hex), rssiDbm: v.expected.rssi_dbm, frameFormat: 'A', stickMeta: hex('0e'), offset: 0 },
    ]);
    expect(cul.encodeTelegram(hex(v.input_hex), { rssiDbm: -96, stickMeta: hex('0e') }).toString('latin1')).toBe(v.expected.line);
  });

  it('rtl-wmbus line: datagram with L, PACKET_RSSI, and back', () => {
    const [v] = vectors('wmbus-rtlwmbus-line');
    if (!v) throw new Error('vector missing');
    const line = String(v.expected.line);
    const events = feed(rtlwmbus.createDecoder(), [Buffer.from(`${line}\n`, 'latin1')]);
    const datagram = hex(line.slice(line.indexOf('0x') + 2));
    expect(datagram).toHaveLength(Number(v.expected.datagram_len));
    expect(datagram[0]).toBe(v.expected.l_field);
    expect(events).toEqual([{ kind: 'telegram', telegram: datagram, rssiDbm: 117, offset: line.indexOf('0x') }]);
    const codec = createRtlWmbusCodec({ mode: 'C1', timestamp: '2019-02-09 07:14:18.000', currentRssi: 102, ident: '94740459' });
    expect(codec.encodeTelegram(datagram, { rssiDbm: 117 }).toString('latin1')).toBe(`${line}\n`);
  });
});
