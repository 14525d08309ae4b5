import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDlmsMeter, type DlmsMeterHandle } from '../../simulators/dlms/omnipower.js';
import { openPtyPair, type PtyPair } from '../support/pty-pair.js';
import { cliCapture } from '../support/cli-capture.js';
import { closeGatewayCore, grantToGatewayToken, startGatewayCore, type GatewayCore } from '../support/gateway-core.js';
import { runCli } from '../../src/cli/program.js';
import { loadGatewayConfig } from '../../src/gateway/config/gateway-config.js';
import { startGateway, type GatewayHandle } from '../../src/gateway/gateway-service.js';
import { asSystem, type TestApp } from '../harness.js';
import { storeDevice } from '../support/devices.js';
import { gatewayYaml, until, watchMqtt, type MqttWatch } from '../support/gateway-bench.js';

// The OMNIPOWER-like meter of the bench (simulators/dlms) read by the gateway, real parts only: a
// real core holding the meter's GUEK and GAK and granting them to a gateway token; the simulated
// meter on socat pseudo-terminals (its optical port: IEC 62056-21 mode C readout); the gateway
// from its configuration file with its key source; the real Mosquitto.

const prefix = `openeks-dlms-${process.pid}-${randomBytes(4).toString('hex')}`;
const gw = 'dlms';
const email = 'dlms-owner@example.com';
const SERIAL = '57012345';
const meterKey = `KAM-${SERIAL}`;
const guek = randomBytes(16);
const gak = randomBytes(16);

let rig: GatewayCore | undefined;
let core: TestApp;
let coreUrl: string;
let userId: string;
let dir: string;
let env: NodeJS.ProcessEnv;
let meter: DlmsMeterHandle;
let deviceId: string;
let gateway: GatewayHandle | undefined;
let watch: MqttWatch;

const states = (key: string) => watch.on(`/${gw}/${key}/state`).map((m) => m.json());
const events = (key: string) => watch.on(`/${gw}/${key}/event`).map((m) => m.json());

async function configFile(name: string, links: string): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, gatewayYaml({ gatewayId: gw, links: [], moreLinks: links, coreUrl, cachePath: join(dir, `${name}-keys.db`), topicPrefix: prefix, bufferPath: join(dir, `${name}-buffer.db`), syncIntervalSeconds: 5 }));
  return path;
}

const cli = () => cliCapture({ env });

/** The register's value in the readout's unit, as the meter shows it (kWh, V, A). */
const registerValue = (obis: string): number => {
  const r = meter.registers().find((x) => x.obis === obis);
  if (r === undefined) throw new Error(`no register ${obis}`);
  return Number((r.raw / r.readout.divisor).toFixed(r.readout.decimals));
};

beforeAll(async () => {
  rig = await startGatewayCore('openeks-gw-dlms-', email);
  ({ core, coreUrl, userId, dir } = rig);
  meter = await startDlmsMeter({ serial: SERIAL, keys: { ek: guek, ak: gak }, authentication: 'hls-gmac', pushSeconds: 3600, transport: 'pty' });
  ({ deviceId } = await storeDevice(core.container, { manufacturer: 'KAM', serial: SERIAL, kind: 'meter', keys: [{ hex: guek.toString('hex'), keyType: 'GUEK' }, { hex: gak.toString('hex'), keyType: 'GAK' }] }));
  env = await grantToGatewayToken(rig, [deviceId], 'Zählerschrank');
  watch = await watchMqtt(prefix);
});

afterAll(async () => {
  await gateway?.close();
  await meter?.close();
  await closeGatewayCore(rig, watch);
});

describe('the gateway with an IEC 62056-21 link', () => {
  it('reads the meter out in mode C and publishes the readout, its fields named like the DLMS and wM-Bus readings', async () => {
    gateway = await startGateway({ config: await loadGatewayConfig(await configFile('iec', `  - name: probe\n    protocol: iec62056-21\n    device: ${meter.devicePath}\n    baud: 9600\n`), env), log: pino({ level: 'silent' }) });
    const g = gateway;
    const [state] = await until(() => (states(meterKey).length > 0 ? states(meterKey) : null), 'the readout', { tries: 500 }).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(g.status().links)}`);
    });
    expect(state).toMatchObject({ media: 'electricity', meter: 'iec62056-21', name: meterKey, id: SERIAL, protocol: 'iec62056-21', verified: 'bcc', link: 'probe', rssi_dbm: null });
    expect(state?.total_energy_consumption_kwh).toBe(registerValue('1-0:1.8.0.255'));
    expect(state?.total_energy_production_kwh).toBe(registerValue('1-0:2.8.0.255'));
    expect(state?.voltage_at_phase_1_v).toBe(registerValue('1-0:32.7.0.255'));
    expect(state?.current_at_phase_1_a).toBe(registerValue('1-0:31.7.0.255'));
    expect(g.status().links[0]).toMatchObject({ name: 'probe', protocol: 'iec62056-21', state: 'connected', detail: expect.stringMatching(/^KAM .*, meter 57012345, 12 data sets at 9600 baud$/) as unknown });
    await g.close();
    gateway = undefined;
  });

  it('validate --protocol iec62056-21: the identification and the readout (exit 0)', async () => {
    const c = cli();
    expect(await runCli(['gateway', 'validate', '--protocol', 'iec62056-21', '--link', meter.devicePath, '--json'], c.ctx), c.stdout()).toEqual({ exitCode: 0 });
    const report = JSON.parse(c.stdout()) as Record<string, unknown>;
    expect(report).toMatchObject({ protocol: 'iec62056-21', answered: true, exitCode: 0, meters: [expect.objectContaining({ meterKey, key: 'not-synced' })] });
    expect(report.detail).toMatch(/^KAM OMNIPOWER, meter 57012345, 12 data sets at 9600 baud$/);
  }, 60_000);
});

describe('the gateway with a polled DLMS link', () => {
  const pollLink = (name: string, device: string) =>
    `  - name: ${name}\n    protocol: dlms\n    device: ${device}\n    mode_e: true\n    authentication: hls-gmac\n    meter: ${meterKey}\n    objects: [1-0:1.8.0.255, 1-0:2.8.0.255, 1-0:32.7.0.255, 1-0:31.7.0.255]\n    timeout_ms: 2000\n`;

  it('associates through the optical eye (mode E, HLS-GMAC with the core\'s keys), GETs the objects and publishes them', async () => {
    gateway = await startGateway({ config: await loadGatewayConfig(await configFile('poll', pollLink('eye', meter.devicePath)), env), log: pino({ level: 'silent' }) });
    const g = gateway;
    const before = states(meterKey).length;
    const state = await until(() => (states(meterKey).length > before ? states(meterKey).at(-1) : null), 'the polled reading', { tries: 1500 });
    expect(state).toMatchObject({ media: 'electricity', meter: 'dlms', name: meterKey, id: SERIAL, protocol: 'dlms', verified: 'gcm-tag', link: 'eye', rssi_dbm: null });
    expect(state?.total_energy_consumption_kwh).toBe(registerValue('1-0:1.8.0.255'));
    expect(state?.total_energy_production_kwh).toBe(registerValue('1-0:2.8.0.255'));
    expect(state?.voltage_at_phase_1_v).toBe(registerValue('1-0:32.7.0.255'));
    expect(state?.current_at_phase_1_a).toBe(registerValue('1-0:31.7.0.255'));
    expect(g.status().links[0]).toMatchObject({ name: 'eye', protocol: 'dlms', state: 'connected', detail: `${meterKey}, hls-gmac, 4 objects` });
    // A first poll may fail on a loaded machine (the simulated eye answers the mode E hand-over at
    // once, where a meter waits its reaction time): then the next, after the 10 s backoff, answers.
    expect(g.status().links[0]?.poll?.polls).toBe((g.status().links[0]?.poll?.failures ?? 0) + 1);
    expect(g.meters()).toEqual([expect.objectContaining({ meterKey, model: 'dlms', key: 'held', decrypts: 'yes' })]);
    await g.close();
    gateway = undefined;
  });

  it('validate --configured: the key pair authenticates (exit 0); a meter holding another GAK refuses it (decrypt_failed, exit 1)', async () => {
    const impostor = await startDlmsMeter({ serial: SERIAL, keys: { ek: guek, ak: randomBytes(16) }, authentication: 'hls-gmac', transport: 'pty', seed: 98 });
    try {
      const path = await configFile('validate', pollLink('eye', meter.devicePath) + pollLink('other', impostor.devicePath));
      // Our invocation counter starts from the wall clock at 8 a second (dlms-link.ts): a session
      // right after the gateway's, in another process, must wait until the clock has passed the
      // dozen counters that one used, or the meter refuses it as a replay.
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const c = cli();
      expect(await runCli(['gateway', 'validate', '--config', path, '--configured', 'eye', '--json'], c.ctx), c.stdout() + c.stderr()).toEqual({ exitCode: 0 });
      expect(JSON.parse(c.stdout())).toMatchObject({ protocol: 'dlms', answered: true, event: null, detail: `${meterKey}, hls-gmac, 4 objects`, meters: [{ meterKey, key: 'held', decrypts: 'yes' }], exitCode: 0 });
      const d = cli();
      expect(await runCli(['gateway', 'validate', '--config', path, '--configured', 'other'], d.ctx)).toEqual({ exitCode: 1 });
      expect(d.stdout()).toContain('decrypt_failed: ');
      expect(d.stdout()).toContain('(tag-mismatch');
      expect(d.stderr()).toContain('openeks: the meter answers, but: decrypt_failed');
    } finally {
      await impostor.close();
    }
  });
});

describe('the gateway with a DLMS push link', () => {
  let tap: PtyPair;
  afterAll(async () => {
    await gateway?.close();
    gateway = undefined;
    await tap?.close();
  });

  it('reads the HAN port: the push decrypted and its GCM tag verified with the core\'s GUEK and GAK, published with its invocation counter', async () => {
    tap = await openPtyPair();
    const links = `  - name: han\n    protocol: dlms\n    device: ${meter.pushDevicePath ?? ''}\n    push: true\n  - name: tap\n    protocol: dlms\n    device: ${tap.devicePath}\n    push: true\n`;
    gateway = await startGateway({ config: await loadGatewayConfig(await configFile('push', links), env), log: pino({ level: 'silent' }) });
    const g = gateway;
    await until(() => g.status().links.every((l) => l.state === 'connected') && g.status().mqtt.connected, 'both push links and the broker');
    const before = states(meterKey).length;
    meter.pushNow();
    const state = await until(() => (states(meterKey).length > before ? states(meterKey).at(-1) : null), 'the pushed reading');
    expect(state).toMatchObject({ media: 'electricity', meter: 'dlms', name: meterKey, id: SERIAL, protocol: 'dlms', verified: 'gcm-tag', link: 'han', invocation_counter: meter.invocationCounter() });
    expect(state?.total_energy_consumption_kwh).toBe(registerValue('1-0:1.8.0.255'));
    expect(state?.voltage_at_phase_1_v).toBe(registerValue('1-0:32.7.0.255'));
    expect(g.status().links.find((l) => l.name === 'han')?.detail).toMatch(/; 1 push\(es\) read$/);
  });

  it('the same push again, on another port: the counter_replay event, not a second reading', async () => {
    const published = states(meterKey).length;
    const frame = meter.pushNow();
    await until(() => states(meterKey).length === published + 1, 'the push on the HAN port');
    tap.meter.write(frame);
    const replay = await until(() => events(meterKey).find((e) => e.event === 'counter_replay'), 'the replay refused');
    expect(replay).toMatchObject({ protocol: 'dlms', meter: meterKey, code: 'counter-replay', link: 'tap' });
    expect(states(meterKey)).toHaveLength(published + 1);
  });

  it('a push made with another GAK: decrypt_failed, never a reading', async () => {
    const impostor = await startDlmsMeter({ serial: SERIAL, keys: { ek: guek, ak: randomBytes(16) }, pushSeconds: 3600, transport: 'pty', seed: 99 });
    try {
      const published = states(meterKey).length;
      tap.meter.write(impostor.pushNow());
      const refused = await until(() => events(meterKey).find((e) => e.event === 'decrypt_failed'), 'the refused push');
      expect(refused).toMatchObject({ protocol: 'dlms', meter: meterKey, code: 'tag-mismatch', link: 'tap' });
      expect(states(meterKey)).toHaveLength(published);
    } finally {
      await impostor.close();
    }
  });

  it('the meter\'s keys revoked in the core: its pushes become no_right within the next sync, never readings', async () => {
    await core.container.grants.revoke({ ...asSystem, readerId: userId, selection: { ids: [deviceId] } });
    const refused = await until(() => {
      meter.pushNow();
      return events(meterKey).find((e) => e.event === 'no_right');
    }, 'no_right after the revocation', { tries: 60, stepMs: 250 });
    expect(refused).toMatchObject({ protocol: 'dlms', meter: meterKey, reason: 'the gateway token holds no keys of this meter: its push is not decrypted', link: 'han' });
    const published = states(meterKey).length;
    meter.pushNow();
    await until(() => events(meterKey).filter((e) => e.event === 'no_right').length >= 1 && gateway?.meters().find((m) => m.meterKey === meterKey)?.key === 'not-held', 'the meter not held');
    expect(states(meterKey)).toHaveLength(published);
    await core.container.grants.assign({ ...asSystem, selection: { ids: [deviceId] }, email });
  });

  it('validate --configured on a push link listens: pushes read with the core\'s keys (exit 0); a silent port exits 3', async () => {
    await gateway?.close();
    gateway = undefined;
    const path = join(dir, 'push.yaml');
    const c = cli();
    const done = runCli(['gateway', 'validate', '--config', path, '--configured', 'han', '--seconds', '2', '--json'], c.ctx);
    await until(() => c.stderr().includes('# listening for pushes'), 'validate to listen');
    meter.pushNow();
    expect(await done, c.stdout() + c.stderr()).toEqual({ exitCode: 0 });
    expect(JSON.parse(c.stdout())).toMatchObject({ link: 'han', protocol: 'dlms', answered: true, detail: '1 push(es) in 2 s, 1 read', event: null, meters: [{ meterKey, key: 'held', decrypts: 'yes' }], exitCode: 0 });
    const d = cli();
    expect(await runCli(['gateway', 'validate', '--config', path, '--configured', 'tap', '--seconds', '1'], d.ctx)).toEqual({ exitCode: 3 });
    expect(d.stdout()).toContain('0 push(es) in 1 s, 0 read');
  });
});
