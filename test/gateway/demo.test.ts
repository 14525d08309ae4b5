import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `openeks demo` as a newcomer runs it (what `npm run demo` runs after building the web UI): in a
// fresh folder, the printed mosquitto_sub line leads to a broker where the gateway publishes the
// bench's readings; Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops
// everything with exit 0 and leaves no port open and no pseudo-terminal behind. A second run on
// the same folder reuses it. The demo always keeps its own SQLite core in its folder, so this test
// runs the same on either test database.

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BENCH_METERS = ['KAM-63941885', 'KAW-71502713', 'KAM-67123456', 'DME-40312233'];

interface Demo {
  child: ChildProcess;
  out: string[];
  err: string[];
  exit: Promise<number | null>;
}

function startDemo(dir: string, mqttUrl?: string): Demo {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENEKS_PORT: '0' };
  delete env.OPENEKS_MQTT_URL; // the embedded broker
  if (mqttUrl !== undefined) env.OPENEKS_MQTT_URL = mqttUrl;
  const child = spawn(process.execPath, [join(root, 'bin', 'openeks.mjs'), 'demo', '--dir', dir], { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: string[] = [];
  const err: string[] = [];
  child.stdout?.setEncoding('utf8').on('data', (s: string) => out.push(...s.split('\n')));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => err.push(...s.split('\n')));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, out, err, exit };
}

/** The first printed line matching `re`, once the demo has printed it; rejects if the demo ends first. */
function line(demo: Demo, re: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const look = (): boolean => {
      for (const l of demo.out) {
        const m = re.exec(l);
        if (m) {
          resolve(m);
          return true;
        }
      }
      return false;
    };
    if (look()) return;
    const onData = () => {
      if (look()) demo.child.stdout?.off('data', onData);
    };
    demo.child.stdout?.on('data', onData);
    void demo.exit.then((code) => reject(new Error(`the demo ended (exit ${code}) before printing ${re}: ${demo.err.join('\n')}`)));
  });
}

const interrupt = (demo: Demo): void => {
  if (demo.child.pid !== undefined) process.kill(-demo.child.pid, 'SIGINT');
};

/** 'refused' when nothing listens on 127.0.0.1:port. */
function probe(port: number): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve('open');
    });
    s.once('error', () => resolve('refused'));
  });
}

let dir: string;
const running: Demo[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-demo-'));
});

afterAll(async () => {
  for (const d of running) {
    if (d.child.exitCode === null && d.child.signalCode === null && d.child.pid !== undefined) {
      process.kill(-d.child.pid, 'SIGKILL');
      await d.exit;
    }
  }
  await rm(dir, { recursive: true, force: true });
});

describe('openeks demo', () => {
  it('prints where to look, publishes verified readings of the bench on the printed broker, and stops everything on Ctrl-C', async () => {
    const demo = startDemo(dir);
    running.push(demo);
    const sub = await line(demo, /mosquitto_sub -h (\S+) -p (\d+) -t 'meters\/#' -v/);
    const web = await line(demo, /Web: +http:\/\/127\.0\.0\.1:(\d+)\//);
    const signIn = await line(demo, /Sign in: +(\S+@\S+) +password (\S+)/);
    const page = await line(demo, /Gateway: +http:\/\/127\.0\.0\.1:(\d+)\//);
    expect(signIn[1]).toBe('operator@demo.example');
    expect(signIn[2]).toBe((await readFile(join(dir, 'operator-password.txt'), 'utf8')).trim());

    // The core answers with the printed sign-in.
    const session = await fetch(`http://127.0.0.1:${web[1]}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: signIn[1], password: signIn[2] }),
    });
    expect(session.status).toBe(200);

    const brokerPort = Number(sub[2]);
    const client = await mqtt.connectAsync({ host: sub[1], port: brokerPort, protocol: 'mqtt', reconnectPeriod: 0 });
    // A wM-Bus reading of the bench's stick; then the bench's MULTICAL 603 polled over KMP (every 30 s,
    // the first within 2 s) and its DLMS meters (the HAN port pushing every 10 s, the other polled
    // through its optical eye): one reading of each.
    const pulled = new Map<string, Record<string, unknown>>();
    const allPulled = new Promise<void>((resolve) => {
      client.on('message', (topic, payload) => {
        if (!/^meters\/demo\/KAM-\d{8}\/state$/.test(topic) || payload.length === 0) return;
        const state = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        if (state.protocol === 'kmp' || state.protocol === 'dlms') pulled.set(`${String(state.protocol)} ${String(state.link)}`, state);
        if (pulled.has('kmp kmp-60312345') && pulled.has('dlms han-57012345') && pulled.has('dlms eye-57012346')) resolve();
      });
    });
    const reading = await new Promise<{ topic: string; state: Record<string, unknown> }>((resolve) => {
      client.on('message', (topic, payload) => {
        if (!/^meters\/demo\/[A-Z]{3}-\d{8}\/state$/.test(topic) || payload.length === 0) return;
        const state = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
        if (state.link === 'bench') resolve({ topic, state });
      });
      void client.subscribeAsync('meters/#', { qos: 1 });
    });
    await allPulled;
    await client.endAsync();
    expect(pulled.get('kmp kmp-60312345')).toMatchObject({ name: 'KAM-60312345', media: 'heat', verified: 'kmp-crc', gateway: 'demo' });
    expect(typeof pulled.get('kmp kmp-60312345')?.total_energy_consumption_kwh).toBe('number');
    expect(pulled.get('dlms han-57012345')).toMatchObject({ name: 'KAM-57012345', media: 'electricity', verified: 'gcm-tag', gateway: 'demo' });
    expect(typeof pulled.get('dlms han-57012345')?.invocation_counter).toBe('number');
    expect(pulled.get('dlms eye-57012346')).toMatchObject({ name: 'KAM-57012346', verified: 'gcm-tag' });
    expect(typeof pulled.get('dlms eye-57012346')?.total_energy_consumption_kwh).toBe('number');
    const meterKey = reading.topic.split('/')[2];
    expect(BENCH_METERS).toContain(meterKey);
    expect(reading.state).toMatchObject({ _: 'telegram', name: meterKey, gateway: 'demo', link: 'bench' });
    expect(['crc', '2f2f']).toContain(reading.state.verified);
    expect(Object.entries(reading.state).some(([k, v]) => /_m3$/.test(k) && typeof v === 'number')).toBe(true);

    const pty = /device: (\S+)/.exec(await readFile(join(dir, 'gateway', 'gateway.yaml'), 'utf8'))?.[1];
    expect(pty).toMatch(/^\/.+\/host$/);
    interrupt(demo);
    expect(await demo.exit).toBe(0);
    for (const port of [Number(web[1]), brokerPort, Number(page[1])]) expect(await probe(port)).toBe('refused');
    // socat made the pseudo-terminal pair in a folder of its own; the bench removes it after socat ended.
    expect(existsSync(dirname(pty ?? '/'))).toBe(false);
  }, 180_000);

  it('reuses its folder on a second run: the same sign-in, no second import', async () => {
    const demo = startDemo(dir);
    running.push(demo);
    await line(demo, /mosquitto_sub -h \S+ -p \d+/);
    expect(demo.out.join('\n')).toMatch(/data in .*, reused\)/);
    const signIn = await line(demo, /Sign in: +(\S+@\S+) +password (\S+)/);
    expect(signIn[2]).toBe((await readFile(join(dir, 'operator-password.txt'), 'utf8')).trim());
    expect(demo.err.join('\n')).not.toMatch(/importing|seeding/);
    interrupt(demo);
    expect(await demo.exit).toBe(0);
  }, 180_000);

  it('publishes to the broker OPENEKS_MQTT_URL names (the real Mosquitto) and starts none of its own', async () => {
    const demo = startDemo(dir, 'mqtt://127.0.0.1:1883');
    running.push(demo);
    const sub = await line(demo, /mosquitto_sub -h (\S+) -p (\d+) -t 'meters\/#' -v/);
    expect([sub[1], sub[2]]).toEqual(['127.0.0.1', '1883']);
    const client = await mqtt.connectAsync({ host: '127.0.0.1', port: 1883, protocol: 'mqtt', reconnectPeriod: 0 });
    const topics = new Set<string>();
    // A state published now, not one retained from an earlier run.
    const fresh = new Promise<Record<string, unknown>>((resolve) => {
      client.on('message', (topic, payload, packet) => {
        topics.add(topic);
        // (An empty payload is a retained state being cleared, not a reading.)
        if (!packet.retain && payload.length > 0 && /^meters\/demo\/[A-Z]{3}-\d{8}\/state$/.test(topic)) {
          const state = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
          // The stick's meters (the KMP and DLMS meters are checked in the first test).
          if (state.link === 'bench') resolve(state);
        }
      });
    });
    await client.subscribeAsync('meters/demo/#', { qos: 1 });
    const state = await fresh;
    expect(BENCH_METERS).toContain(state.name);
    expect(['crc', '2f2f']).toContain(state.verified);
    interrupt(demo);
    expect(await demo.exit).toBe(0);
    // The shared broker keeps nothing of the demo.
    for (const topic of topics) await client.publishAsync(topic, '', { retain: true, qos: 1 });
    await client.endAsync();
  }, 180_000);

  it('refuses a folder that holds a database but no finished demo, saying how to start over, before starting anything', async () => {
    const half = await mkdtemp(join(tmpdir(), 'openeks-demo-half-'));
    try {
      await writeFile(join(half, 'openeks.db'), '');
      const demo = startDemo(half);
      running.push(demo);
      expect(await demo.exit).toBe(1);
      expect(demo.err.join('\n')).toContain(`${half} holds a database but no finished demo (${join(half, 'demo.json')} is missing): remove the folder to start over, or give another --dir`);
      expect(demo.out.join('\n')).not.toContain('mosquitto_sub');
    } finally {
      await rm(half, { recursive: true, force: true });
    }
  }, 120_000);
});
