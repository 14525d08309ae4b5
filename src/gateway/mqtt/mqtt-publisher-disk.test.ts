import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../test/support/log-capture.js';
import { freePort } from '../../../test/support/mqtt-broker.js';
import type { Reading } from '../gateway-types.js';
import { openPublisher } from './mqtt-publisher.js';

// The buffer file refuses writes: here another process holds its write lock (SQLITE_BUSY after
// better-sqlite3's 5 s). The pipeline must not see an exception; the messages are lost and counted.

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const reading: Reading = {
  protocol: 'wmbus',
  meter: { manufacturer: 'KAM', id: '63941885', version: 0x1b, deviceType: 0x16 },
  meterKey: 'KAM-63941885',
  driver: 'multical21',
  media: 'cold water',
  fields: { total_m3: 1 },
  verified: 'crc',
  rssiDbm: null,
  receivedAt: new Date('2026-12-04T10:00:00Z'),
  accessNumber: 1,
  link: 'stick1',
};

describe('openPublisher when the buffer cannot be written', () => {
  it('loses the messages counted as dropped, throws nothing, and buffers again once the file can be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'openeks-mqtt-disk-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const bufferPath = join(dir, 'buffer.db');
    const logs = captureLogs();
    const pub = await openPublisher({
      config: {
        url: `mqtt://127.0.0.1:${await freePort()}`,
        clientId: 'openeks-disk',
        topicPrefix: 'meters',
        bufferPath,
        bufferMaxMessages: 100,
        homeAssistant: { enabled: false, discoveryPrefix: 'homeassistant' },
        availabilityTimeoutSeconds: 3600,
      },
      gatewayId: 'gw1',
      log: logs.logger,
    });
    cleanups.push(() => pub.close());

    const blocker = new Database(bufferPath);
    blocker.exec('BEGIN EXCLUSIVE');
    expect(() => pub.reading(reading)).not.toThrow();
    expect(pub.status()).toEqual({ connected: false, buffered: 0, dropped: 2, delivered: 0 });
    expect(logs.text()).toContain('MQTT buffer cannot be written: messages lost');
    expect(logs.text()).toContain('"code":"SQLITE_BUSY"');

    blocker.exec('ROLLBACK');
    blocker.close();
    pub.reading({ ...reading, accessNumber: 2 });
    expect(pub.status()).toEqual({ connected: false, buffered: 1, dropped: 2, delivered: 0 });
  });
});
