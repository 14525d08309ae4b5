import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/gateway/config/gateway-config.js';
import { startGateway, type GatewayHandle, type MeterView } from '../../src/gateway/gateway-service.js';
import type { KeyLookup, KeySource, KeySourceStatus } from '../../src/gateway/gateway-types.js';
import { parseLinkTarget } from '../../src/gateway/link/link-target.js';
import { MOSQUITTO_URL, clearRetained, startPtyBench, until, watchMqtt, type MqttWatch, type PtyBench } from '../support/gateway-bench.js';

// The gateway service against real parts: the simulated bench on a pseudo-terminal, the real MQTT
// publisher on the real Mosquitto, the status page over HTTP. The key source here is a table held
// by the test (the core's key source has its own end-to-end test, gateway-e2e.test.ts), so that the
// test can expire it at will.

const prefix = `openeks-test-${process.pid}-${randomBytes(4).toString('hex')}`;
const gw = 'svc';

function tableKeySource(bench: PtyBench): KeySource & { expire(): void } {
  let state: KeySourceStatus['state'] = 'fresh';
  const table = new Map(bench.meters.map((m) => [`${m.address.manufacturer}-${m.address.id}`, m.key]));
  return {
    lookup(manufacturer, serial): KeyLookup {
      if (state === 'expired') return { kind: 'expired' };
      const key = table.get(`${manufacturer}-${serial}`);
      return key ? { kind: 'keys', keys: [key] } : { kind: 'no-right' };
    },
    lookupKeys: () => ({ kind: state === 'expired' ? 'expired' : 'no-right' }),
    missed: () => undefined,
    status: () => ({ state, devices: table.size, lastSyncAt: null, expiresAt: null, lastError: null }),
    close: async () => undefined,
    expire() {
      state = 'expired';
    },
  };
}

let dir: string;
let bench: PtyBench;
let keys: ReturnType<typeof tableKeySource>;
let gateway: GatewayHandle;
let watch: MqttWatch;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-gw-svc-'));
  bench = await startPtyBench({ stick: 'amb8465' });
  keys = tableKeySource(bench);
  watch = await watchMqtt(prefix);
  const config: GatewayConfig = {
    gatewayId: gw,
    links: [{ name: 'keller', protocol: 'wmbus', target: parseLinkTarget(bench.link), stick: 'amb8465' }],
    core: { url: 'http://127.0.0.1:9', token: 'unused', syncIntervalSeconds: 30, offlineHours: 72, cachePath: join(dir, 'cache.db'), cacheKey: randomBytes(32) },
    mqtt: {
      url: MOSQUITTO_URL, clientId: `${prefix}-gw`, topicPrefix: prefix, qos: 1, bufferPath: join(dir, 'buffer.db'), bufferMaxMessages: 1000,
      homeAssistant: { enabled: false, discoveryPrefix: 'homeassistant' }, availabilityTimeoutSeconds: 2,
    },
    meters: { include: ['*'], exclude: ['DME-*'] },
    http: { enabled: true, host: '127.0.0.1', port: 0 },
  };
  gateway = await startGateway({ config, log: pino({ level: 'silent' }), keys });
  await until(() => gateway.status().links[0]?.state === 'connected' && gateway.status().mqtt.connected, 'the link and the broker');
});

afterAll(async () => {
  await gateway?.close();
  await bench?.close();
  if (watch) {
    await clearRetained(watch);
    await watch.close();
  }
  await rm(dir, { recursive: true, force: true });
});

const states = (meterKey: string) => watch.on(`/${meterKey}/state`).map((m) => m.json());
const meterView = (meterKey: string): MeterView | undefined => gateway.meters().find((m) => m.meterKey === meterKey);

describe('startGateway', () => {
  it('publishes each verified reading with the values the meter sent, and says the meter is online', async () => {
    for (const i of [0, 1, 2, 0]) bench.receiver.sendNow(i);
    await until(() => states('KAM-63941885').length === 2 && states('KAW-71502713').length === 1 && states('KAM-67123456').length === 1, 'four states');
    const sent = bench.sent.filter((t) => !t.corrupt);
    expect(sent).toHaveLength(4);
    const got = [states('KAM-63941885')[0], states('KAW-71502713')[0], states('KAM-67123456')[0], states('KAM-63941885')[1]];
    sent.forEach((t, i) => {
      const state = got[i] ?? {};
      expect(state).toMatchObject({ name: `${t.meter.address.manufacturer}-${t.meter.address.id}`, id: t.meter.address.id, verified: 'crc', gateway: gw, link: 'keller', rssi_dbm: t.rssiDbm });
      const register = 'total_m3' in t.values ? 'total_m3' : 'total_energy_consumption_kwh';
      expect(state[register]).toBe(t.values[register]);
      for (const [name, value] of Object.entries(t.values)) if (typeof state[name] === 'number') expect(state[name], name).toBe(value);
    });
    expect(watch.on('/KAM-63941885/availability').map((m) => m.text)).toEqual(['online']);
    expect(gateway.status()).toMatchObject({ gatewayId: gw, readings: 4, links: [{ name: 'keller', state: 'connected' }], keys: { state: 'fresh' } });
  });

  it('drops an excluded meter before any key lookup: no message, no row', async () => {
    bench.receiver.sendNow(3); // DME-40312233, excluded by DME-*
    bench.receiver.sendNow(1);
    await until(() => states('KAW-71502713').length === 2, 'the next reading after the excluded one');
    expect(watch.messages.filter((m) => m.topic.includes('DME-40312233'))).toEqual([]);
    expect(meterView('DME-40312233')).toBeUndefined();
  });

  it('a corrupt frame is a decrypt_failed event, a garbled or truncated one a bad_telegram event, and the gateway reads on', async () => {
    const meter = bench.meters[0];
    const side = bench.stickSide();
    if (!meter || !side) throw new Error('bench not ready');
    const good = meter.next().telegram;
    const corrupt = Buffer.from(good);
    corrupt[corrupt.length - 3] = (corrupt[corrupt.length - 3] ?? 0) ^ 0x5a;
    side.write(bench.codec.encodeTelegram(corrupt, { rssiDbm: -80 }));
    // A telegram cut after its header: the L-field says 12 bytes, and 12 bytes follow.
    side.write(bench.codec.encodeTelegram(Buffer.concat([Buffer.from([12]), good.subarray(1, 13)]), { rssiDbm: -81 }));
    side.write(randomBytes(40));
    const before = states('KAM-63941885').length;
    bench.receiver.sendNow(0);
    await until(() => states('KAM-63941885').length === before + 1, 'a reading after the bad frames');
    // A frame the pipeline cannot read to the end names no meter: its event goes to the gateway's own event topic.
    await until(() => watch.on('/KAM-63941885/event').length >= 1 && watch.on(`/${gw}/event`).length >= 1, 'the two events');
    expect(watch.on('/KAM-63941885/event').map((m) => m.json())).toEqual([expect.objectContaining({ event: 'decrypt_failed', reason: 'wrong key', meter: 'KAM-63941885', rssi_dbm: -80 })]);
    expect(watch.on(`/${gw}/event`).map((m) => m.json())).toContainEqual(expect.objectContaining({ event: 'bad_telegram', code: 'truncated', offset: 13, rssi_dbm: -81, link: 'keller' }));
    expect(meterView('KAM-63941885')).toMatchObject({ key: 'held', decrypts: 'yes', telegrams: 4, lastEvent: 'decrypt_failed' });
  });

  it('serves the meters and the status on its page', async () => {
    if (!gateway.httpUrl) throw new Error('no status page');
    const meters = (await (await fetch(new URL('api/meters', gateway.httpUrl))).json()) as { meters: MeterView[] };
    expect(meters.meters.map((m) => [m.meterKey, m.model, m.key, m.decrypts])).toEqual([
      ['KAM-63941885', 'multical21', 'held', 'yes'],
      ['KAM-67123456', 'kamheat', 'held', 'yes'],
      ['KAW-71502713', 'flowiq2200', 'held', 'yes'],
    ]);
    const html = await (await fetch(new URL('?lang=de', gateway.httpUrl))).text();
    expect(html).toContain('<td>KAM-63941885</td>');
    expect(html).toContain('im EKS vorhanden');
  });

  it('reads on after the stick was unplugged and plugged in again', async () => {
    await bench.unplug();
    await until(() => gateway.status().links[0]?.state === 'disconnected', 'the link to notice the unplugged stick');
    await bench.plugIn();
    await until(() => gateway.status().links[0]?.state === 'connected' && bench.stickSide(), 'the link to reconnect');
    const before = states('KAM-67123456').length;
    bench.receiver.sendNow(2);
    await until(() => states('KAM-67123456').length === before + 1, 'a reading after the replug');
  });

  it('sends a meter offline after the availability timeout without a verified reading', async () => {
    await until(() => watch.on('/KAW-71502713/availability').some((m) => m.text === 'offline'), 'KAW-71502713 offline', { tries: 500 });
  });

  it('stops readings when the key source has expired, and says so', async () => {
    keys.expire();
    await until(() => gateway.status().keys.state === 'expired', 'the status to say expired');
    const before = states('KAM-63941885').length;
    bench.receiver.sendNow(0);
    await until(() => watch.on('/KAM-63941885/event').some((m) => m.json().event === 'keys_expired'), 'a keys_expired event');
    expect(states('KAM-63941885')).toHaveLength(before);
    expect(meterView('KAM-63941885')?.key).toBe('expired');
  });

  it('closes gracefully: the gateway status goes offline', async () => {
    await gateway.close();
    await until(() => watch.on(`${gw}/status`).at(-1)?.text === 'offline', 'the offline status');
    expect(watch.on(`${gw}/status`).map((m) => m.text)).toEqual(['online', 'offline']);
  });
});
