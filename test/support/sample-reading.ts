import type { Reading } from '../../src/gateway/gateway-types.js';

/** The n-th reading of one MULTICAL 21 (total_m3 = n, one second apart): the publisher tests' traffic. */
export function sampleReading(n: number): Reading {
  return {
    protocol: 'wmbus',
    meter: { manufacturer: 'KAM', id: '63941885', version: 0x1b, deviceType: 0x16 },
    meterKey: 'KAM-63941885',
    driver: 'multical21',
    media: 'cold water',
    fields: { total_m3: n },
    verified: 'crc',
    rssiDbm: -61,
    receivedAt: new Date(Date.UTC(2026, 11, 4, 10, 0, n)),
    accessNumber: n % 256,
    link: 'stick1',
  };
}
