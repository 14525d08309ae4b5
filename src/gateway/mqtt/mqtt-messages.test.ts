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
        '"rssi_dbm":-61,"timestamp":"2024-03-03T18:37:00Z","verified":"crc","gateway":"gw1","link":"stick1",' +
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

  it('has no meter when the telegram named none', () => {
    const msg = eventMessage({ name: 'keys_expired', reason: 'offline for more than 72 h', rssiDbm: null, receivedAt: new Date(0), link: 'l' }, 'gw1');
    expect(msg).not.toHaveProperty('meter');
    expect(msg.timestamp).toBe('1970-01-01T00:00:00Z');
  });
});

describe('isoSeconds', () => {
  it('cuts the milliseconds, keeps the Z', () => expect(isoSeconds(new Date('2026-12-04T16:00:00.999Z'))).toBe('2026-12-04T16:00:00Z'));
});
