import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../../../test/support/log-capture.js';
import { recorder, waitFor } from '../../../test/support/mqtt-broker.js';
import type { Publisher, Reading } from '../gateway-types.js';
import type { MqttOptions } from './mqtt-options.js';
import { openPublisher } from './mqtt-publisher.js';

// Against the running Mosquitto on 127.0.0.1:1883, each test under a topic prefix of its own.

const URL = 'mqtt://127.0.0.1:1883';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function options(over: Partial<MqttOptions> = {}): MqttOptions {
  const dir = mkdtempSync(join(tmpdir(), 'openeks-mqtt-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const tag = randomBytes(4).toString('hex');
  return {
    url: URL,
    clientId: `openeks-test-${tag}`,
    topicPrefix: `t-${tag}`,
    bufferPath: join(dir, 'buffer.db'),
    bufferMaxMessages: 1000,
    homeAssistant: { enabled: false, discoveryPrefix: `ha-${tag}` },
    availabilityTimeoutSeconds: 3600,
    ...over,
  };
}

export function reading(n: number, meterKey = 'KAM-63941885'): Reading {
  const [manufacturer = 'KAM', id = '63941885'] = meterKey.split('-');
  return {
    protocol: 'wmbus',
    meter: { manufacturer, id, version: 0x1b, deviceType: 0x16 },
    meterKey,
    driver: 'multical21',
    media: 'cold water',
    fields: { total_m3: n, flow_temperature_c: 11 },
    verified: 'crc',
    rssiDbm: -61,
    receivedAt: new Date('2026-12-04T10:00:00Z'),
    accessNumber: n,
    link: 'stick1',
  };
}

async function open(o: MqttOptions): Promise<Publisher> {
  const pub = await openPublisher({ config: o, gatewayId: 'gw1', log: captureLogs().logger });
  cleanups.push(() => pub.close());
  return pub;
}

async function sub(filter: string): Promise<ReturnType<typeof recorder>> {
  const r = await recorder(URL, filter);
  cleanups.push(() => r.client.endAsync());
  return r;
}

describe('openPublisher against Mosquitto', () => {
  it('publishes status, state, availability and events with their exact payloads and retain flags', async () => {
    const o = options();
    const base = `${o.topicPrefix}/gw1`;
    const { got } = await sub(`${o.topicPrefix}/#`);
    const pub = await open(o);
    await waitFor(() => pub.status().connected, 'the connection');
    pub.reading(reading(7));
    pub.event({ name: 'decrypt_failed', meterKey: 'KAM-11111111', reason: 'wrong key', rssiDbm: -70, receivedAt: new Date('2026-12-04T10:00:01Z'), link: 'stick1' });
    pub.availability('KAM-63941885', false);
    await waitFor(() => pub.status().delivered === 4, 'four deliveries');
    await waitFor(() => got.some((m) => m.topic === `${base}/KAM-63941885/availability` && m.payload === 'offline'), 'availability offline');
    const mine = got.filter((m) => m.topic !== `${base}/status/detail`);
    expect(mine).toEqual([
      { topic: `${base}/status`, payload: 'online', retain: true, dup: false },
      {
        topic: `${base}/KAM-63941885/state`,
        payload:
          '{"_":"telegram","media":"cold water","meter":"multical21","name":"KAM-63941885","id":"63941885","total_m3":7,' +
          '"flow_temperature_c":11,"rssi_dbm":-61,"timestamp":"2026-12-04T10:00:00Z","protocol":"wmbus","verified":"crc","gateway":"gw1","link":"stick1","access_number":7}',
        retain: true,
        dup: false,
      },
      { topic: `${base}/KAM-63941885/availability`, payload: 'online', retain: true, dup: false },
      {
        topic: `${base}/KAM-11111111/event`,
        payload:
          '{"event":"decrypt_failed","meter":"KAM-11111111","reason":"wrong key","rssi_dbm":-70,"timestamp":"2026-12-04T10:00:01Z","gateway":"gw1","link":"stick1"}',
        retain: false,
        dup: false,
      },
      { topic: `${base}/KAM-63941885/availability`, payload: 'offline', retain: true, dup: false },
    ]);
    expect(pub.status()).toEqual({ connected: true, buffered: 0, dropped: 0, delivered: 4 });

    await pub.close();
    await waitFor(() => got.some((m) => m.topic === `${base}/status` && m.payload === 'offline'), 'status offline after close');

    // A newcomer gets the retained ones and not the event.
    const late = await sub(`${o.topicPrefix}/#`);
    await waitFor(() => late.got.length >= 4, 'the retained messages');
    expect(late.got.map((m) => `${m.topic} ${m.retain}`).sort()).toEqual(
      [`${base}/KAM-63941885/availability true`, `${base}/KAM-63941885/state true`, `${base}/status true`, `${base}/status/detail true`].sort(),
    );
  });

  it('turns a meter offline after availabilityTimeoutSeconds without a reading', async () => {
    const o = options({ availabilityTimeoutSeconds: 1 });
    const topic = `${o.topicPrefix}/gw1/KAM-63941885/availability`;
    const { got } = await sub(topic);
    const pub = await open(o);
    pub.reading(reading(1));
    await waitFor(() => got.length === 2, 'online then offline');
    expect(got.map((m) => m.payload)).toEqual(['online', 'offline']);
  });

  it('publishes Home Assistant discovery on a meter’s first reading and again when homeassistant/status says online', async () => {
    const o = options();
    o.homeAssistant.enabled = true;
    const ha = o.homeAssistant.discoveryPrefix;
    const { got, client } = await sub(`${ha}/sensor/#`);
    const pub = await open(o);
    await waitFor(() => pub.status().connected, 'the connection');
    pub.reading(reading(1));
    pub.reading(reading(2));
    const topics = [
      `${ha}/sensor/gw1_KAM-63941885/total_m3/config`,
      `${ha}/sensor/gw1_KAM-63941885/flow_temperature_c/config`,
      `${ha}/sensor/gw1_KAM-63941885/rssi_dbm/config`,
    ];
    await waitFor(() => pub.status().delivered === 6, 'three discovery configs, two states and availability');
    expect(got.map((m) => m.topic)).toEqual(topics);
    expect(got.every((m) => m.retain)).toBe(true);
    expect(JSON.parse(got[0]?.payload ?? '')).toMatchObject({
      state_topic: `${o.topicPrefix}/gw1/KAM-63941885/state`,
      availability: [{ topic: `${o.topicPrefix}/gw1/status` }, { topic: `${o.topicPrefix}/gw1/KAM-63941885/availability` }],
      availability_mode: 'all',
      unit_of_measurement: 'm³',
    });

    await (client as MqttClient).publishAsync(`${ha}/status`, 'online');
    await waitFor(() => got.length === 6, 'discovery published again');
    expect(got.slice(3).map((m) => m.topic)).toEqual(topics);
    expect(got.slice(3).map((m) => m.payload)).toEqual(got.slice(0, 3).map((m) => m.payload));
  });

  it('leaves `offline` as its last will when its process dies without a goodbye', async () => {
    const o = options();
    const topic = `${o.topicPrefix}/gw1/status`;
    const { got } = await sub(topic);
    const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/support/mqtt-publisher-child.ts', JSON.stringify(o)], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    cleanups.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await waitFor(() => got.some((m) => m.payload === 'online'), 'status online from the child', 30_000);
    child.kill('SIGKILL');
    await waitFor(() => got.some((m) => m.payload === 'offline'), 'the last will');
    expect(got).toEqual([
      { topic, payload: 'online', retain: true, dup: false },
      { topic, payload: 'offline', retain: true, dup: false },
    ]);
  });

  it('never writes the broker password to its log, not even from a URL that carries it', async () => {
    const o = options({ url: 'mqtt://gw:url-secret-7f3a@127.0.0.1:1883', username: 'gw', password: 'option-secret-9c1d' });
    const logs = captureLogs('debug');
    const pub = await openPublisher({ config: o, gatewayId: 'gw1', log: logs.logger });
    cleanups.push(() => pub.close());
    await waitFor(() => pub.status().connected, 'the connection');
    pub.reading(reading(1));
    await waitFor(() => pub.status().delivered === 2, 'the reading');
    await pub.close();
    expect(logs.text()).toContain('"broker":"mqtt://127.0.0.1:1883"');
    expect(logs.text()).not.toMatch(/url-secret-7f3a|option-secret-9c1d/);
  });
});
