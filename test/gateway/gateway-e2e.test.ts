import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StickName } from '../../drivers/wmbus-sticks/index.js';
import { cliCapture } from '../support/cli-capture.js';
import { closeGatewayCore, grantToGatewayToken, startGatewayCore, type GatewayCore } from '../support/gateway-core.js';
import { runCli } from '../../src/cli/program.js';
import { loadGatewayConfig } from '../../src/gateway/config/gateway-config.js';
import { startGateway, type GatewayHandle } from '../../src/gateway/gateway-service.js';
import { asSystem, type TestApp } from '../harness.js';
import { storeDevice } from '../support/devices.js';
import { benchMeters, gatewayYaml, startPtyBench, until, watchMqtt, type MqttWatch, type PtyBench } from '../support/gateway-bench.js';

// End to end with real parts only: a real core (HTTP on loopback, the test database) holding the
// bench's keys and granting them to a gateway token; one simulated bench per stick type on its own
// pseudo-terminal; the gateway (configuration file, key source with its encrypted cache, MQTT
// publisher) reading all five; the real Mosquitto; a subscriber that checks every reading against
// what the simulator sent. Then a key revoked in the core while the gateway runs, and `gateway
// validate` with the core's keys, online and from the cache.

const STICKS: StickName[] = ['im871a', 'iu891a', 'amb8465', 'cul', 'rtlwmbus'];
const prefix = `openeks-e2e-${process.pid}-${randomBytes(4).toString('hex')}`;
const gw = 'e2e';
const email = 'gateway-owner@example.com';

let rig: GatewayCore | undefined;
let core: TestApp;
let coreUrl: string;
let userId: string;
let dir: string;
let configPath: string;
let env: NodeJS.ProcessEnv;
const benches: PtyBench[] = [];
const deviceIds = new Map<string, string>();
let gateway: GatewayHandle | undefined;
let watch: MqttWatch;

const meterKeyOfSent = (m: { address: { manufacturer: string; id: string } }): string => `${m.address.manufacturer}-${m.address.id}`;
const states = (meterKey: string) => watch.on(`/${gw}/${meterKey}/state`).map((m) => m.json());
const events = (meterKey: string) => watch.on(`/${gw}/${meterKey}/event`).map((m) => m.json());

beforeAll(async () => {
  rig = await startGatewayCore('openeks-gw-e2e-', email);
  ({ core, coreUrl, userId, dir } = rig);

  // Five benches, one per stick type, each with the four meters of config/bench.yaml under its own addresses.
  const configs = await benchMeters();
  for (const [s, stick] of STICKS.entries()) {
    const meters = configs.map((m) => ({ ...m, id: `${s + 1}${m.id.slice(1)}`, key: randomBytes(16).toString('hex').toUpperCase(), corruptShare: 0 }));
    benches.push(await startPtyBench({ stick, meters, seed: 100 + s }));
  }
  for (const bench of benches) {
    for (const m of bench.meters) {
      const { deviceId } = await storeDevice(core.container, { manufacturer: m.address.manufacturer, serial: m.address.id, keys: [{ hex: m.key.toString('hex') }] });
      deviceIds.set(meterKeyOfSent(m), deviceId);
    }
  }
  env = await grantToGatewayToken(rig, [...deviceIds.values()], 'Keller');

  configPath = join(dir, 'gateway.yaml');
  await writeFile(configPath, gatewayYaml({
    gatewayId: gw,
    links: benches.map((b) => (b.link.startsWith('tcp://') ? { name: b.stick, tcp: b.link, stick: b.stick } : { name: b.stick, device: b.link, stick: b.stick })),
    coreUrl,
    cachePath: join(dir, 'keys.db'),
    topicPrefix: prefix,
    bufferPath: join(dir, 'buffer.db'),
    syncIntervalSeconds: 5,
  }));
  watch = await watchMqtt(prefix);
});

afterAll(async () => {
  await gateway?.close();
  for (const b of benches) await b.close();
  await closeGatewayCore(rig, watch);
});

const cli = () => cliCapture({ env });

describe('the gateway end to end', () => {
  it('publishes every reading of every stick type with exactly the values the simulator sent', async () => {
    gateway = await startGateway({ config: await loadGatewayConfig(configPath, env), log: pino({ level: 'silent' }) });
    const g = gateway;
    await until(() => g.status().keys.state === 'fresh' && g.status().keys.devices === 20 && g.status().mqtt.connected && g.status().links.every((l) => l.state === 'connected'), 'keys synced, broker and all links connected');
    for (const bench of benches) for (const i of [0, 1, 2, 3, 0, 1]) bench.receiver.sendNow(i);
    const all = benches.flatMap((b) => b.sent);
    expect(all).toHaveLength(30);
    await until(() => all.every((t) => states(meterKeyOfSent(t.meter)).length === all.filter((x) => x.meter === t.meter).length), 'a state for every telegram');
    for (const bench of benches) {
      for (const m of bench.meters) {
        const sent = bench.sent.filter((t) => t.meter === m);
        const got = states(meterKeyOfSent(m));
        expect(got, `${bench.stick} ${meterKeyOfSent(m)}`).toHaveLength(sent.length);
        sent.forEach((t, i) => {
          const state = got[i] ?? {};
          expect(state).toMatchObject({ name: meterKeyOfSent(m), id: m.address.id, gateway: gw, link: bench.stick, verified: m.kind === 'oms-water' ? '2f2f' : 'crc' });
          // rtl-wmbus reports no signal strength; the others carry the simulator's RSSI.
          if (bench.stick !== 'rtlwmbus') expect(state.rssi_dbm, bench.stick).toBe(t.rssiDbm);
          const register = 'total_m3' in t.values ? 'total_m3' : 'total_energy_consumption_kwh';
          // The generic OMS decoder still names the volume volume_m3 where the simulator (as wmbusmeters) says total_m3.
          expect(state[register] ?? (m.kind === 'oms-water' ? state.volume_m3 : undefined), `${bench.stick} ${m.kind} ${register}`).toBe(t.values[register]);
          for (const [name, value] of Object.entries(t.values)) if (typeof state[name] === 'number') expect(state[name], `${m.kind} ${name}`).toBe(value);
        });
      }
    }
    expect(g.status().readings).toBe(30);
    expect(g.meters().every((m) => m.key === 'held' && m.decrypts === 'yes')).toBe(true);
  });

  it('stops publishing a meter within the next sync after its right is revoked in the core', async () => {
    const g = gateway;
    const bench = benches[0];
    const meter = bench?.meters[0];
    if (!g || !bench || !meter) throw new Error('the first test did not start the gateway');
    const meterKey = meterKeyOfSent(meter);
    const deviceId = deviceIds.get(meterKey) ?? '';
    await core.container.grants.revoke({ ...asSystem, readerId: userId, selection: { ids: [deviceId] } });
    // One telegram every 200 ms until the gateway refuses it: the sync interval is 5 s, the loop gives up after 60 s.
    const refused = await until(() => {
      bench.receiver.sendNow(0);
      return events(meterKey).find((e) => e.event === 'no_right' || e.event === 'unknown_key');
    }, `${meterKey} refused after the revocation`, { tries: 300, stepMs: 200 });
    expect(refused.event).toBe('no_right');
    const published = states(meterKey).length;
    bench.receiver.sendNow(0);
    bench.receiver.sendNow(1);
    const other = meterKeyOfSent(bench.meters[1] ?? meter);
    const before = states(other).length;
    await until(() => states(other).length > before, 'the next reading of a meter still granted');
    expect(states(meterKey)).toHaveLength(published);
    expect(g.meters().find((m) => m.meterKey === meterKey)?.key).toBe('not-held');
  });

  it('reads on when a stick is unplugged and plugged in again', async () => {
    const g = gateway;
    const bench = benches[2];
    const meter = bench?.meters[2];
    if (!g || !bench || !meter) throw new Error('no gateway');
    await bench.unplug();
    await until(() => g.status().links.find((l) => l.name === bench.stick)?.state === 'disconnected', 'the unplugged link');
    await bench.plugIn();
    await until(() => g.status().links.find((l) => l.name === bench.stick)?.state === 'connected' && bench.stickSide(), 'the link back');
    const before = states(meterKeyOfSent(meter)).length;
    const sent = bench.receiver.sendNow(2);
    await until(() => states(meterKeyOfSent(meter)).length === before + 1, 'a reading after the replug');
    expect(states(meterKeyOfSent(meter)).at(-1)?.total_energy_consumption_kwh).toBe(sent.values.total_energy_consumption_kwh);
  });

  it('reads on when a TCP link drops and the far end comes back (rtl-wmbus)', async () => {
    const g = gateway;
    const bench = benches[4];
    const meter = bench?.meters[0];
    if (!g || !bench || !meter || !bench.link.startsWith('tcp://')) throw new Error('no TCP bench');
    await bench.unplug();
    await until(() => g.status().links.find((l) => l.name === bench.stick)?.state === 'disconnected', 'the dropped TCP link');
    await bench.plugIn();
    await until(() => g.status().links.find((l) => l.name === bench.stick)?.state === 'connected' && bench.stickSide(), 'the TCP link back');
    const before = states(meterKeyOfSent(meter)).length;
    const sent = bench.receiver.sendNow(0);
    await until(() => states(meterKeyOfSent(meter)).length === before + 1, 'a reading after the TCP link came back');
    expect(states(meterKeyOfSent(meter)).at(-1)?.total_m3).toBe(sent.values.total_m3);
  });

  it('validate with the core: every meter heard decrypts but the revoked one, which has no key (exit 1, JSON)', async () => {
    await gateway?.close();
    gateway = undefined;
    const bench = benches[0];
    if (!bench) throw new Error('no bench');
    // socat ends when the host closes its side (the gateway did): a fresh pseudo-terminal at the same path.
    await bench.unplug();
    await bench.plugIn();
    const c = cli();
    const done = runCli(['gateway', 'validate', '--link', bench.link, '--stick', bench.stick, '--seconds', '3', '--config', configPath, '--json'], c.ctx);
    await until(() => c.stderr().includes('# listening on'), 'validate to listen');
    for (const i of [0, 1, 2, 3]) bench.receiver.sendNow(i);
    expect(await done).toEqual({ exitCode: 1 });
    const report = JSON.parse(c.stdout()) as { meters: { meterKey: string; key: string; decrypts: string; model: string }[]; summary: unknown };
    expect(report.summary).toEqual({ heard: 4, decrypt: 3, failing: 1 });
    expect(report.meters.map((m) => [m.meterKey, m.key, m.decrypts])).toEqual(
      [...bench.meters].map(meterKeyOfSent).sort().map((k) => [k, k === meterKeyOfSent(bench.meters[0] ?? { address: { manufacturer: '', id: '' } }) ? 'not-held' : 'held', k === meterKeyOfSent(bench.meters[0] ?? { address: { manufacturer: '', id: '' } }) ? 'unknown' : 'yes']),
    );
  });

  it('validate says when the key the core holds is byte-reversed (exit 1)', async () => {
    const [mc21] = await benchMeters();
    if (!mc21) throw new Error('config/bench.yaml changed');
    const key = randomBytes(16);
    const solo = await startPtyBench({ stick: 'amb8465', meters: [{ ...mc21, id: '69000001', key: key.toString('hex').toUpperCase(), corruptShare: 0 }], seed: 7 });
    try {
      const { deviceId } = await storeDevice(core.container, { manufacturer: 'KAM', serial: '69000001', keys: [{ hex: Buffer.from(key).reverse().toString('hex') }] });
      await core.container.grants.assign({ ...asSystem, selection: { ids: [deviceId] }, email });
      const c = cli();
      const done = runCli(['gateway', 'validate', '--link', solo.link, '--stick', 'amb8465', '--seconds', '3', '--config', configPath, '--json'], c.ctx);
      await until(() => c.stderr().includes('# listening on'), 'validate to listen');
      solo.receiver.sendNow(0);
      expect(await done).toEqual({ exitCode: 1 });
      const report = JSON.parse(c.stdout()) as { meters: { meterKey: string; key: string; decrypts: string; lastEvent: string | null }[] };
      expect(report.meters.map((m) => [m.meterKey, m.key, m.decrypts, m.lastEvent])).toEqual([['KAM-69000001', 'held', 'reversed-key-would', 'decrypt_failed']]);
    } finally {
      await solo.close();
    }
  });

  it('validate works offline from the cache: the core stopped, a fully granted bench decrypts (exit 0)', async () => {
    await core.app.close();
    const bench = benches[1];
    if (!bench) throw new Error('no bench');
    // socat ends when the host closes its side (the gateway did): a fresh pseudo-terminal at the same path.
    await bench.unplug();
    await bench.plugIn();
    const c = cli();
    const done = runCli(['gateway', 'validate', '--link', bench.link, '--stick', bench.stick, '--seconds', '3', '--config', configPath], c.ctx);
    await until(() => c.stderr().includes('# listening on'), 'validate to listen');
    for (const i of [0, 1, 2, 3]) bench.receiver.sendNow(i);
    expect(await done).toEqual({ exitCode: 0 });
    const lines = c.stdout().trim().split('\n');
    expect(lines[0]).toMatch(/^METER +MANUFACTURER +ADDRESS +MODEL +RSSI +TELEGRAMS +KEY +DECRYPTS$/);
    expect(lines).toHaveLength(6);
    expect(lines.slice(1, 5).every((l) => / held +yes$/.test(l))).toBe(true);
    expect(lines[5]).toMatch(/^4 meter\(s\) heard in 3 s: 4 decrypt, 0 do not or have no key \(keys: offline\)$/);
  });
});
