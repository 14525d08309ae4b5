import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { BenchConfigError, loadBenchConfig } from '../../../simulators/bench-config.js';
import { startBench, type Bench } from '../../../simulators/bench.js';
import { systemClock } from '../../lib/clock.js';
import type { Settings } from '../../lib/config.js';
import { redactedPaths } from '../../lib/logger.js';
import { parseMasterKeySpec } from '../../lib/master-key-spec.js';
import { Secret } from '../../lib/secret.js';
import type { Actor } from '../../core/access/actor.js';
import { CliFailure } from '../cli-context.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './demo-broker.js';
import { prepareDemoCore } from './demo-core.js';
import { startDemoGateway, type DemoGateway } from './demo-gateway.js';
import { portFor } from './demo-ports.js';

// `openeks demo` (docs/demo.md): a core in its own data folder with demo data, an operator and a
// gateway user holding the bench's meters; the bench simulator on a pseudo-terminal; an MQTT broker
// (aedes, embedded, unless OPENEKS_MQTT_URL names one); `openeks gateway` reading the bench. It
// prints where to look, runs until interrupted, then stops everything it started, newest first.

export const DEMO_GATEWAY_ID = 'demo';
const GATEWAY_HTTP_PORT = 8091;
const MQTT_PORT = 1883;

export interface DemoInput {
  /** The data folder (default ./demo-data). */
  dir: string;
  /** The bench configuration (default config/bench.yaml of this checkout). */
  bench?: string;
  actor: Actor;
  print(line: string): void;
  progress(line: string): void;
  /** Resolves when the person presses Ctrl-C (src/main.ts owns the signals). */
  untilInterrupted: Promise<string>;
}

/** config/bench.yaml from src/cli/demo (tsx) or dist/src/cli/demo (compiled). */
function defaultBench(): string {
  const candidates = ['../../../config/bench.yaml', '../../../../config/bench.yaml'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((p) => existsSync(p)) ?? (candidates[0] ?? 'config/bench.yaml');
}

/** The service's settings, pointed at the demo's folder: its own SQLite file, master key, outbox and anchors. */
function demoSettings(settings: Settings, dir: string, port: number): Settings {
  return {
    config: {
      ...settings.config,
      host: '127.0.0.1',
      port,
      publicUrl: new URL(`http://127.0.0.1:${port}/`),
      outboxDir: join(dir, 'outbox'),
      auditAnchors: join(dir, 'audit-anchors.jsonl'),
    },
    secrets: {
      ...settings.secrets,
      databaseUrl: new Secret(`sqlite:${join(dir, 'openeks.db')}`),
      masterKey: parseMasterKeySpec(`file:${join(dir, 'master.key')}`),
      // Mail stays in the demo's outbox folder: the demo reads the gateway user's invitation there.
      smtpUrl: undefined,
      redisUrl: undefined,
    },
  };
}

/** host and port of an mqtt:// URL, for the mosquitto_sub line (never its credentials). */
function brokerAddress(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: u.port === '' ? (u.protocol === 'mqtts:' ? 8883 : 1883) : Number(u.port) };
}

export async function runDemo(settings: Settings, input: DemoInput): Promise<void> {
  const dir = resolve(input.dir);
  const benchFile = input.bench ?? defaultBench();
  let bench;
  try {
    bench = await loadBenchConfig(benchFile);
  } catch (e) {
    if (e instanceof BenchConfigError) throw new CliFailure(`${benchFile}: ${e.message}`, 2);
    throw new CliFailure(`--bench: cannot read "${benchFile}"`, 2);
  }
  await mkdir(join(dir, 'gateway'), { recursive: true, mode: 0o700 });
  const fresh = !existsSync(join(dir, 'openeks.db'));
  const corePort = await portFor(settings.config.port);
  const s = demoSettings(settings, dir, corePort);
  // Warnings and worse on stderr; stdout is for the lines the demo prints.
  const logger = pino({ level: 'warn', redact: { paths: redactedPaths, censor: '[redacted]' } }, pino.destination(2));

  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    for (const { name, stop } of stops.reverse()) {
      await stop().catch((err: unknown) => input.progress(`stopping the ${name} failed: ${err instanceof Error ? err.message : String(err)}`));
    }
    stops.length = 0;
  };
  try {
    input.progress(`${fresh ? 'creating' : 'reusing'} the demo core in ${dir} …`);
    const { createContainer } = await import('../../core/container.js');
    const { buildApp } = await import('../../core/app.js');
    const container = await createContainer({ ...s, clock: systemClock, logger });
    stops.push({ name: 'core', stop: () => container.close() });
    const core = await prepareDemoCore(container, { dir, meters: bench.meters, pull: { kmp: bench.kmp ?? [], dlms: bench.dlms ?? [] }, actor: input.actor, fresh, progress: input.progress });
    const app = await buildApp(container, { logger });
    await app.listen({ host: '127.0.0.1', port: corePort });
    stops.push({ name: 'web server', stop: () => app.close() });
    container.mailDeliverer.start({ intervalMs: 5000 });
    const coreUrl = `http://127.0.0.1:${corePort}`;

    input.progress(`starting the simulated ${bench.stick} with ${bench.meters.length} meters, ${bench.kmp?.length ?? 0} MULTICAL 603 (KMP) and ${bench.dlms?.length ?? 0} DLMS meters …`);
    const running: Bench = await startBench({ ...bench, link: { kind: 'pty' } });
    stops.push({ name: 'bench simulator', stop: () => running.close() });

    const external = settings.secrets.mqttUrl?.reveal();
    let mqttUrl: string;
    if (external === undefined) {
      const broker: EmbeddedBroker = await startEmbeddedBroker(await portFor(MQTT_PORT));
      stops.push({ name: 'MQTT broker', stop: () => broker.close() });
      mqttUrl = broker.url;
    } else {
      mqttUrl = external;
    }

    const gateway: DemoGateway = await startDemoGateway({
      dir,
      gatewayId: DEMO_GATEWAY_ID,
      coreUrl,
      tokenFile: core.tokenFile,
      link: running.link,
      stick: bench.stick,
      kmp: running.kmp.map((m) => ({ serial: m.serial, device: m.handle.devicePath ?? '' })),
      dlms: running.dlms.map((m) => ({ serial: m.serial, device: m.devicePath, ...(m.pushDevicePath === undefined ? {} : { pushDevice: m.pushDevicePath }) })),
      mqttUrl,
      httpPort: await portFor(GATEWAY_HTTP_PORT),
    });
    // Stopped first (SIGTERM, SIGKILL after 10 s), while the broker still runs: its `offline` status is delivered.
    stops.push({ name: 'gateway', stop: () => gateway.close() });

    const { host, port } = brokerAddress(mqttUrl);
    input.print('');
    input.print(`openeks demo is running (data in ${dir}${core.created ? '' : ', reused'}).`);
    input.print(`  Web:       ${coreUrl}/`);
    input.print(`  Sign in:   ${core.operatorEmail}  password ${core.operatorPassword}`);
    input.print(`  Readings:  mosquitto_sub -h ${host} -p ${port} -t 'meters/#' -v`);
    input.print(`  Gateway:   ${gateway.httpUrl}`);
    input.print(`  Logs:      ${gateway.logFile}`);
    input.print(`Press Ctrl-C to stop. To start over, stop and remove ${dir}.`);

    const why = await Promise.race([input.untilInterrupted.then((signal) => ({ signal })), gateway.exited.then((code) => ({ code }))]);
    if ('code' in why) throw new CliFailure(`the gateway stopped (exit ${why.code}); see ${gateway.logFile}`);
    input.progress(`${why.signal}: stopping …`);
  } finally {
    await stopAll();
  }
}
