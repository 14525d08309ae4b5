import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCapture } from '../support/cli-capture.js';
import { closeGatewayCore, grantToGatewayToken, startGatewayCore, type GatewayCore } from '../support/gateway-core.js';
import { runCli } from '../../src/cli/program.js';
import { openPtyPair } from '../support/pty-pair.js';
import { KMP_DEFAULT_HEAT_REGISTERS, getSerialNoRequest, kmpFields, kmpUnitName } from '../../drivers/kmp/index.js';
import { startKmpMeter, type KmpMeterHandle } from '../../simulators/kmp/multical603.js';
import { loadGatewayConfig } from '../../src/gateway/config/gateway-config.js';
import { startGateway, type GatewayHandle } from '../../src/gateway/gateway-service.js';
import { asSystem, type TestApp } from '../harness.js';
import { storeDevice } from '../support/devices.js';
import { gatewayYaml, until, watchMqtt, type MqttWatch } from '../support/gateway-bench.js';

// The pull and push links end to end, real parts only: a real core (HTTP on loopback, the test
// database) holding the meters and granting them to a gateway token; the simulated MULTICAL 603
// answering KMP on a socat pseudo-terminal; the gateway from its configuration file with its key
// source; the real Mosquitto. Then a right revoked in the core: the meter's next poll is a no_right
// event, not a reading (docs/gateway.md "Readings without encryption").

const prefix = `openeks-links-${process.pid}-${randomBytes(4).toString('hex')}`;
const gw = 'links';
const email = 'links-owner@example.com';
const KMP_SERIAL = 60312345;
const kmpKey = `KAM-${KMP_SERIAL}`;

let rig: GatewayCore | undefined;
let core: TestApp;
let coreUrl: string;
let userId: string;
let dir: string;
let env: NodeJS.ProcessEnv;
let kmp: KmpMeterHandle;
const deviceIds = new Map<string, string>();
let gateway: GatewayHandle | undefined;
let watch: MqttWatch;

const states = (meterKey: string) => watch.on(`/${gw}/${meterKey}/state`).map((m) => m.json());
const events = (meterKey: string) => watch.on(`/${gw}/${meterKey}/event`).map((m) => m.json());

/** The fields a poll of the default registers reads from the simulator's registers as they stand. */
function expectedKmpFields(): Record<string, unknown> {
  const regs = kmp.values();
  return kmpFields(
    KMP_DEFAULT_HEAT_REGISTERS.flatMap((rid) => {
      const r = regs.get(rid);
      return r === undefined ? [] : [{ rid, unit: r.unit, unitName: kmpUnitName(r.unit), value: Number(r.value), text: String(r.value) }];
    }),
  );
}

async function configFile(name: string, moreLinks = ''): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, gatewayYaml({
    gatewayId: gw,
    links: [],
    moreLinks: `  - name: eye\n    protocol: kmp\n    device: ${kmp.devicePath ?? ''}\n    poll_seconds: 900\n    timeout_ms: 1500\n${moreLinks}`,
    coreUrl,
    cachePath: join(dir, `${name}-keys.db`),
    topicPrefix: prefix,
    bufferPath: join(dir, `${name}-buffer.db`),
    syncIntervalSeconds: 5,
  }));
  return path;
}

beforeAll(async () => {
  rig = await startGatewayCore('openeks-gw-links-', email);
  ({ core, coreUrl, userId, dir } = rig);
  kmp = await startKmpMeter({ serial: KMP_SERIAL, seed: 7, transport: 'pty' });
  // The MULTICAL 603 as the bench exports it: a heat meter with its DEK (its wM-Bus key); over KMP no key is used, the grant is what counts.
  const heat = await storeDevice(core.container, { manufacturer: 'KAM', serial: String(KMP_SERIAL), keys: [{ hex: randomBytes(16).toString('hex') }] });
  deviceIds.set(kmpKey, heat.deviceId);
  env = await grantToGatewayToken(rig, [...deviceIds.values()], 'Keller');
  watch = await watchMqtt(prefix);
});

afterAll(async () => {
  await gateway?.close();
  await kmp?.close();
  await closeGatewayCore(rig, watch);
});

const cli = () => cliCapture({ env });

describe('the gateway with a KMP link', () => {
  it('polls the MULTICAL 603 on the optical eye and publishes its registers, named like wM-Bus readings, with protocol and verification', async () => {
    gateway = await startGateway({ config: await loadGatewayConfig(await configFile('first'), env), log: pino({ level: 'silent' }) });
    const g = gateway;
    const [state] = await until(() => (states(kmpKey).length > 0 ? states(kmpKey) : null), 'the first KMP reading');
    expect(state).toMatchObject({ _: 'telegram', media: 'heat', meter: 'kmp', name: kmpKey, id: String(KMP_SERIAL), protocol: 'kmp', verified: 'kmp-crc', gateway: gw, link: 'eye', rssi_dbm: null });
    expect(state).not.toHaveProperty('access_number');
    const expected = expectedKmpFields();
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(8);
    for (const [name, value] of Object.entries(expected)) expect(state?.[name], name).toBe(value);
    // The availability follows the state on the broker.
    await until(() => watch.on(`/${gw}/${kmpKey}/availability`).length > 0, 'the availability');
    expect(watch.on(`/${gw}/${kmpKey}/availability`).map((m) => m.text)).toEqual(['online']);
    const link = g.status().links[0];
    expect(link).toMatchObject({ name: 'eye', protocol: 'kmp', state: 'connected', detail: `serial ${KMP_SERIAL}, type 0x0603, ${KMP_DEFAULT_HEAT_REGISTERS.length} registers`, poll: { intervalSeconds: 900, polls: 1, failures: 0 } });
    expect(g.meters()).toEqual([expect.objectContaining({ meterKey: kmpKey, model: 'kmp', key: 'held', decrypts: 'not-encrypted', telegrams: 1 })]);
    await g.close();
    gateway = undefined;
  });

  it('a meter whose right is revoked in the core: its next poll is the no_right event, never a reading', async () => {
    await core.container.grants.revoke({ ...asSystem, readerId: userId, selection: { ids: [deviceIds.get(kmpKey) ?? ''] } });
    const published = states(kmpKey).length;
    gateway = await startGateway({ config: await loadGatewayConfig(await configFile('revoked'), env), log: pino({ level: 'silent' }) });
    const g = gateway;
    const refused = await until(() => events(kmpKey).find((e) => e.event === 'no_right'), 'the no_right event', { tries: 400 }).catch((err: unknown) => {
      throw new Error(`${String(err)}: ${JSON.stringify(g.status())} ${JSON.stringify(watch.messages.map((m) => m.topic))}`);
    });
    expect(refused).toMatchObject({ meter: kmpKey, reason: 'the gateway token holds no grant for this meter: its kmp reading is not published', link: 'eye' });
    expect(states(kmpKey)).toHaveLength(published);
    expect(gateway.meters()).toEqual([expect.objectContaining({ meterKey: kmpKey, key: 'not-held', lastEvent: 'no_right' })]);
  });

  it('validate --protocol kmp without a configuration: the eye answers with serial and type (exit 0), no right checked', async () => {
    await gateway?.close();
    gateway = undefined;
    const c = cli();
    expect(await runCli(['gateway', 'validate', '--protocol', 'kmp', '--link', kmp.devicePath ?? '', '--json'], c.ctx)).toEqual({ exitCode: 0 });
    const report = JSON.parse(c.stdout()) as Record<string, unknown>;
    expect(report).toMatchObject({ protocol: 'kmp', target: kmp.devicePath, answered: true, detail: `serial ${KMP_SERIAL}, type 0x0603, ${KMP_DEFAULT_HEAT_REGISTERS.length} registers`, event: { name: 'unknown_key' }, exitCode: 0, keys: { state: 'not-synced' } });
    expect(report.meters).toEqual([expect.objectContaining({ meterKey: kmpKey, key: 'not-synced' })]);
  });

  it('validate --configured with the core: the eye answers but the token no longer holds the meter (exit 1); a dead eye exits 3', async () => {
    const dead = await openPtyPair();
    try {
      const path = await configFile('validate', `  - name: dead\n    protocol: kmp\n    device: ${dead.devicePath}\n    timeout_ms: 200\n`);
      const c = cli();
      expect(await runCli(['gateway', 'validate', '--config', path, '--configured', 'eye'], c.ctx)).toEqual({ exitCode: 1 });
      expect(c.stdout()).toContain(`kmp link eye on ${kmp.devicePath ?? ''}: the meter answers`);
      expect(c.stdout()).toContain(`meter ${kmpKey}: key NOT HELD, no reading`);
      expect(c.stdout()).toContain('no_right: the gateway token holds no grant for this meter');
      expect(c.stderr()).toContain('openeks: the meter answers, but: no_right');
      const d = cli();
      expect(await runCli(['gateway', 'validate', '--config', path, '--configured', 'dead', '--json'], d.ctx)).toEqual({ exitCode: 3 });
      const report = JSON.parse(d.stdout()) as Record<string, unknown>;
      expect(report).toMatchObject({ link: 'dead', answered: false, event: { name: 'no_answer', code: 'no-answer' }, meters: [], exitCode: 3, keys: { state: 'fresh' } });
      // What the gateway sent the dead eye: GetSerialNo (80 3F 02 CRC 0D), three times (the first try and two retries).
      expect(getSerialNoRequest().subarray(0, 3)).toEqual(Buffer.from([0x80, 0x3f, 0x02]));
      expect(dead.received()).toEqual(Buffer.concat([getSerialNoRequest(), getSerialNoRequest(), getSerialNoRequest()]));
      const u = cli();
      expect(await runCli(['gateway', 'validate', '--config', path, '--configured', 'nope'], u.ctx)).toEqual({ exitCode: 2 });
      expect(u.stderr()).toBe('openeks: --configured: no link "nope" in the configuration (it has eye, dead)\n');
    } finally {
      await dead.close();
    }
  });
});
