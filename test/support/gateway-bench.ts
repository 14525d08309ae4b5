import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Duplex } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { stickCodecs, type StickCodec, type StickName } from '../../drivers/wmbus-sticks/index.js';
import { loadBenchConfig } from '../../simulators/bench-config.js';
import { createMeter } from '../../simulators/meters/create-meter.js';
import type { MeterConfig, SimulatedMeter } from '../../simulators/meters/meter-types.js';
import { createSimulatedReceiver, type SentTelegram, type SimulatedReceiver } from '../../simulators/receiver.js';
import { openPtyTransport, openTcpTransport } from '../../simulators/transports.js';

// The gateway's tests against real parts: the simulated bench on a socat pseudo-terminal that can
// be unplugged and plugged in again at the same path, a raw handle on the stick's side of the pty
// (to send garbage), a subscriber on the real Mosquitto, and a bounded wait for a condition.

export const MOSQUITTO_URL = 'mqtt://127.0.0.1:1883';

/** Waits for `cond` in bounded steps; fails naming `what` (no timing is asserted). */
export async function until<T>(cond: () => T | undefined | null | false, what: string, o: { tries?: number; stepMs?: number } = {}): Promise<T> {
  const tries = o.tries ?? 1500;
  for (let i = 0; i < tries; i += 1) {
    const v = cond();
    if (v !== undefined && v !== null && v !== false) return v;
    await new Promise((r) => setTimeout(r, o.stepMs ?? 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export interface PtyBench {
  stick: StickName;
  codec: StickCodec;
  meters: SimulatedMeter[];
  receiver: SimulatedReceiver;
  /** The device the gateway opens; tcp://127.0.0.1:PORT for rtl-wmbus, which is a program's output, not a serial device. */
  link: string;
  sent: SentTelegram[];
  /** The stick's side of the pty while plugged in: raw bytes written here reach the gateway. */
  stickSide(): Duplex | null;
  /** The device disappears (socat ends). */
  unplug(): Promise<void>;
  /** The device appears again at the same path. */
  plugIn(): Promise<void>;
  close(): Promise<void>;
}

export async function benchMeters(): Promise<MeterConfig[]> {
  return (await loadBenchConfig('config/bench.yaml')).meters;
}

export async function startPtyBench(o: { stick: StickName; meters?: MeterConfig[]; seed?: number }): Promise<PtyBench> {
  const codec = stickCodecs[o.stick];
  const seed = o.seed ?? 42;
  const configs = o.meters ?? (await benchMeters());
  const meters = configs.map((m, i) => createMeter(m, seed * 1_000_003 + i));
  const receiver = createSimulatedReceiver({ codec, meters, seed });
  const sent: SentTelegram[] = [];
  receiver.onSent((t) => sent.push(t));
  const dir = await mkdtemp(join(tmpdir(), 'openeks-gw-pty-'));
  let side: Duplex | null = null;
  const capturing: SimulatedReceiver = {
    ...receiver,
    attach(stream) {
      side = stream;
      stream.once('close', () => {
        if (side === stream) side = null;
      });
      return receiver.attach(stream);
    },
  };
  let port = 0;
  const open = async (): Promise<{ link: string; close(): Promise<void> }> => {
    if (codec.baudRate === 0) {
      const t = await openTcpTransport(capturing, { port });
      port = t.port;
      return { link: `tcp://127.0.0.1:${t.port}`, close: t.close };
    }
    const t = await openPtyTransport(capturing, { baudRate: codec.baudRate, dir });
    return { link: t.devicePath, close: t.close };
  };
  let transport: { link: string; close(): Promise<void> } | null = await open();
  return {
    stick: o.stick,
    codec,
    meters,
    receiver,
    link: transport.link,
    sent,
    stickSide: () => side,
    async unplug() {
      await transport?.close();
      transport = null;
      side = null;
    },
    async plugIn() {
      transport ??= await open();
    },
    async close() {
      receiver.stop();
      await transport?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface MqttMessage {
  topic: string;
  text: string;
  retain: boolean;
  /** performance.now() when it arrived (benches). */
  at: number;
  json(): Record<string, unknown>;
}

export interface MqttWatch {
  messages: MqttMessage[];
  on(topicSuffix: string): MqttMessage[];
  close(): Promise<void>;
}

/** Subscribes to everything under `prefix` on the real broker. */
export async function watchMqtt(prefix: string): Promise<MqttWatch> {
  const client: MqttClient = await mqtt.connectAsync(MOSQUITTO_URL, { clientId: `openeks-test-${process.pid}-${Math.random().toString(16).slice(2, 10)}`, reconnectPeriod: 0 });
  const messages: MqttMessage[] = [];
  client.on('message', (topic, payload, packet) => {
    const text = payload.toString('utf8');
    messages.push({ topic, text, retain: packet.retain, at: performance.now(), json: () => JSON.parse(text) as Record<string, unknown> });
  });
  await client.subscribeAsync(`${prefix}/#`, { qos: 1 });
  return {
    messages,
    on: (suffix) => messages.filter((m) => m.topic.endsWith(suffix)),
    close: () => client.endAsync(),
  };
}

/** Clears what a test left retained under its prefix, so the broker does not collect test topics. */
export async function clearRetained(watch: MqttWatch): Promise<void> {
  const client = await mqtt.connectAsync(MOSQUITTO_URL, { reconnectPeriod: 0 });
  for (const topic of new Set(watch.messages.map((m) => m.topic))) await client.publishAsync(topic, '', { retain: true, qos: 1 });
  await client.endAsync();
}

export interface GatewayYamlInput {
  gatewayId: string;
  links: { name: string; device?: string; tcp?: string; stick: StickName }[];
  coreUrl: string;
  cachePath: string;
  topicPrefix: string;
  bufferPath: string;
  syncIntervalSeconds?: number;
  availabilityTimeoutSeconds?: number;
  exclude?: string[];
  httpPort?: number;
  /** The broker (default MOSQUITTO_URL, the shared one). */
  mqttUrl?: string;
  /** Further links as YAML list items (kmp, iec62056-21, dlms), appended after the sticks'. */
  moreLinks?: string;
}

/** A gateway.yaml for a test; the token and the cache key go in the environment (gatewayEnv), never in the file. */
export function gatewayYaml(o: GatewayYamlInput): string {
  const links = o.links
    .map((l) => `  - name: ${l.name}\n    protocol: wmbus\n    ${l.device !== undefined ? `device: ${l.device}` : `tcp: ${l.tcp ?? ''}`}\n    stick: ${l.stick}\n`)
    .join('');
  return [
    `gateway_id: ${o.gatewayId}`,
    'links:',
    (links + (o.moreLinks ?? '')).trimEnd(),
    'core:',
    `  url: ${o.coreUrl}`,
    `  cache_path: ${o.cachePath}`,
    `  sync_interval_seconds: ${o.syncIntervalSeconds ?? 30}`,
    'mqtt:',
    `  url: ${o.mqttUrl ?? MOSQUITTO_URL}`,
    `  client_id: ${o.topicPrefix}-${o.gatewayId}`,
    `  topic_prefix: ${o.topicPrefix}`,
    `  buffer_path: ${o.bufferPath}`,
    `  availability_timeout_seconds: ${o.availabilityTimeoutSeconds ?? 3600}`,
    'meters:',
    `  exclude: [${(o.exclude ?? []).map((p) => JSON.stringify(p)).join(', ')}]`,
    'http:',
    '  enabled: true',
    '  host: 127.0.0.1',
    `  port: ${o.httpPort ?? 0}`,
    '',
  ].join('\n');
}

export function gatewayEnv(token: string, cacheKey: Buffer): NodeJS.ProcessEnv {
  return { OPENEKS_GATEWAY_TOKEN: token, OPENEKS_GATEWAY_CACHE_KEY: cacheKey.toString('base64'), OPENEKS_LOG_LEVEL: 'silent' };
}
