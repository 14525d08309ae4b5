import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

// A Mosquitto of the test's own on a free loopback port, with persistence (so a subscriber's
// session and its queued messages survive a stop and start), and a recording subscriber.
// Benches ask for one without persistence and with their own lines (e.g. unbounded queues).

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls `check` every 20 ms; throws naming `what` after `ms`. */
export async function waitFor(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  for (let waited = 0; !check(); waited += 20) {
    if (waited >= ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export interface TestBroker {
  port: number;
  url: string;
  start(): Promise<void>;
  /** SIGTERM (Mosquitto saves its sessions), resolves when the process is gone. */
  stop(): Promise<void>;
  dispose(): Promise<void>;
}

export interface TestBrokerOptions {
  /** Save sessions and queued messages across a stop and start (default true). */
  persistence?: boolean;
  /** Further mosquitto.conf lines, e.g. `max_queued_messages 0`. */
  config?: readonly string[];
}

/** `tls`: PEM files for a TLS listener (then `url` is mqtts://). */
export async function testBroker(tls?: { ca: string; cert: string; key: string }, options: TestBrokerOptions = {}): Promise<TestBroker> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'openeks-mosquitto-'));
  const conf = join(dir, 'mosquitto.conf');
  const persistence = (options.persistence ?? true) ? ['persistence true', `persistence_location ${dir}/`] : ['persistence false'];
  writeFileSync(
    conf,
    [`listener ${port} 127.0.0.1`, ...(tls ? [`cafile ${tls.ca}`, `certfile ${tls.cert}`, `keyfile ${tls.key}`] : []), 'allow_anonymous true', ...persistence, ...(options.config ?? []), 'user root', 'log_dest none', ''].join('\n'),
  );
  let proc: ChildProcess | null = null;
  const broker: TestBroker = {
    port,
    url: `${tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`,
    async start() {
      const p = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
      proc = p;
      for (let i = 0; i < 250; i++) {
        if (p.exitCode !== null || p.signalCode !== null) break;
        if (await accepts(port)) return;
        await new Promise((r) => setTimeout(r, 20));
      }
      const exit = p.exitCode !== null ? `, it exited ${p.exitCode}` : '';
      await broker.stop();
      throw new Error(`mosquitto did not listen on 127.0.0.1:${port}${exit} (config ${conf})`);
    },
    async stop() {
      const p = proc;
      proc = null;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        p.once('exit', () => resolve());
        p.kill('SIGTERM');
      });
    },
    async dispose() {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return broker;
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
  /** Set when the broker delivers again a message the subscriber may already have had (its own QoS 1 retry). */
  dup: boolean;
}

/** A subscriber that records every message; MQTT 5 with retain-as-published, so `retain` is the publisher's flag. */
export async function recorder(url: string, filter: string, extra: IClientOptions = {}): Promise<{ client: MqttClient; got: Received[] }> {
  const got: Received[] = [];
  const client = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 100, ...extra });
  client.on('message', (topic, payload, packet) => got.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, dup: packet.dup }));
  await client.subscribeAsync(filter, { qos: 1, rap: true });
  return { client, got };
}
