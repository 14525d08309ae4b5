import { describe, expect, it } from 'vitest';
import type { GatewayEvent, Reading } from '../gateway-types.js';
import { eventMessage, isoSeconds, stateMessage } from './mqtt-messages.js';

const reading: Reading = {
  protocol: 'wmbus',
  meter: { manufacturer: 'KAM', id: '63941885', version: 0x1b, deviceType: 0x16 },
  meterKey: 'KAM-63941885',
  driver: 'multical21',
  media: 'cold water',
  fields: { total_m3: 6.408, target_m3: 6.408, flow_temperature_c: 11, current_status: 'OK' },
  verified: 'crc',
  rssiDbm: -61,
  receivedAt: new Date('2024-03-03T18:37:00.456Z'),
  accessNumber: 0x2a,
  frameCounter: 1234,
  link: 'stick1',
};

describe('stateMessage', () => {
  it('is wmbusmeters’ flat telegram object followed by how it was verified and where it came from, in that key order', () => {
    const msg = stateMessage(reading, 'gw1');
    expect(JSON.stringify(msg)).toBe(
      '{"_":"telegram","media":"cold water","meter":"multical21","name":"KAM-63941885","id":"63941885",' +
        '"total_m3":6.408,"target_m3":6.408,"flow_temperature_c":11,"current_status":"OK",' +
        '"rssi_dbm":-61,"timestamp":"2024-03-03T18:37:00Z","protocol":"wmbus","verified":"crc","gateway":"gw1","link":"stick1",' +
        '"access_number":42,"frame_counter":1234}',
    );
  });

  it('leaves out frame_counter when the telegram has none and writes rssi_dbm null when the stick gives none', () => {
    const { frameCounter: _fc, ...rest } = reading;
    const msg = stateMessage({ ...rest, rssiDbm: null, verified: '2f2f' }, 'gw1');
    expect(msg).not.toHaveProperty('frame_counter');
    expect(msg.rssi_dbm).toBeNull();
    expect(msg.verified).toBe('2f2f');
  });

  it('a DLMS reading: protocol dlms, the invocation counter instead of the wM-Bus counters', () => {
    const { accessNumber: _an, frameCounter: _fc, ...rest } = reading;
    const dlms: Reading = { ...rest, protocol: 'dlms', driver: 'dlms', media: 'electricity', fields: { total_energy_consumption_kwh: 1234.567, invocation_counter: 1 }, verified: 'gcm-tag', rssiDbm: null, invocationCounter: 4711 };
    expect(JSON.stringify(stateMessage(dlms, 'gw1'))).toBe(
      '{"_":"telegram","media":"electricity","meter":"dlms","name":"KAM-63941885","id":"63941885","total_energy_consumption_kwh":1234.567,' +
        '"rssi_dbm":null,"timestamp":"2024-03-03T18:37:00Z","protocol":"dlms","verified":"gcm-tag","gateway":"gw1","link":"stick1","invocation_counter":4711}',
    );
  });

  it('never lets a field overwrite the envelope', () => {
    const msg = stateMessage({ ...reading, fields: { id: 'forged', verified: 'none', timestamp: 'x', total_m3: 1 } }, 'gw1');
    expect(msg.id).toBe('63941885');
    expect(msg.verified).toBe('crc');
    expect(msg.timestamp).toBe('2024-03-03T18:37:00Z');
    expect(msg.total_m3).toBe(1);
  });
});

describe('eventMessage', () => {
  it('names the event, the meter, the reason, the error code and byte offset', () => {
    const e: GatewayEvent = {
      name: 'bad_telegram',
      meter: reading.meter,
      reason: 'the telegram ends inside a data record',
      code: 'truncated',
      offset: 37,
      rssiDbm: -80,
      receivedAt: new Date('2024-03-03T18:37:01Z'),
      link: 'stick1',
    };
    expect(JSON.stringify(eventMessage(e, 'gw1'))).toBe(
      '{"event":"bad_telegram","meter":"KAM-63941885","id":"63941885","reason":"the telegram ends inside a data record",' +
        '"code":"truncated","offset":37,"rssi_dbm":-80,"timestamp":"2024-03-03T18:37:01Z","gateway":"gw1","link":"stick1"}',
    );
  });

  it('an event of a pulled link names its protocol', () => {
    const e: GatewayEvent = { name: 'no_answer', protocol: 'kmp', meter: reading.meter, reason: 'no answer within 2000 ms', code: 'no-answer', rssiDbm: null, receivedAt: new Date('2026-12-04T12:15:03Z'), link: 'eye' };
    expect(JSON.stringify(eventMessage(e, 'gw1'))).toBe(
      '{"event":"no_answer","protocol":"kmp","meter":"KAM-63941885","id":"63941885","reason":"no answer within 2000 ms","code":"no-answer",' +
        '"rssi_dbm":null,"timestamp":"2026-12-04T12:15:03Z","gateway":"gw1","link":"eye"}',
    );
  });

  it('has no meter when the telegram named none', () => {
    const msg = eventMessage({ name: 'keys_expired', reason: 'offline for more than 72 h', rssiDbm: null, receivedAt: new Date(0), link: 'l' }, 'gw1');
    expect(msg).not.toHaveProperty('meter');
    expect(msg.timestamp).toBe('1970-01-01T00:00:00Z');
  });
});

describe('isoSeconds', () => {
  it('cuts the milliseconds, keeps the Z', () => expect(isoSeconds(new Date('2026-12-04T16:00:00.999Z'))).toBe('2026-12-04T16:00:00Z'));
});
