import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

// The gateway of `openeks demo`: `openeks gateway --config <dir>/gateway/gateway.yaml` as a child
// process. A child, not in the demo's process, so that it is what a site runs (same launcher,
// same heap flags, its own memory — the figure `npm run bench -- gateway` measures) and so that
// Ctrl-C reaches it like any gateway: the terminal sends SIGINT to the whole process group, and
// the demo ends it with SIGTERM when it stops for any other reason. Its log goes to
// <dir>/gateway/gateway.log, so the demo's terminal keeps the lines a newcomer needs.

export interface DemoGatewayOptions {
  dir: string;
  gatewayId: string;
  coreUrl: string;
  tokenFile: string;
  /** The device the gateway opens (the bench's pseudo-terminal) and the stick it speaks to. */
  link: string;
  stick: string;
  /** The bench's MULTICAL 603s: their optical eyes, polled over KMP. */
  kmp?: Array<{ serial: string; device: string }>;
  /** The bench's DLMS meters: the HAN port listened to when it pushes, else the optical eye polled (mode E, HLS-GMAC). */
  dlms?: Array<{ serial: string; device: string; pushDevice?: string }>;
  /** Written into gateway.yaml; OPENEKS_MQTT_URL, inherited by the child, overrides it. */
  mqttUrl: string;
  httpPort: number;
}

export interface DemoGateway {
  configFile: string;
  logFile: string;
  httpUrl: string;
  /** Resolves with the exit code (or signal) when the child ends, for whatever reason. */
  exited: Promise<string>;
  close(): Promise<void>;
}

/** bin/openeks from src/cli/demo (tsx) or dist/src/cli/demo (compiled). */
function launcher(): string {
  const candidates = ['../../../bin/openeks', '../../../../bin/openeks'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error('bin/openeks not found beside the sources');
  return found;
}

export const DEMO_KMP_POLL_SECONDS = 30;
export const DEMO_DLMS_POLL_SECONDS = 60;

/** gateway.yaml as docs/gateway.md describes it: secrets by file name only, never inline. */
export function demoGatewayYaml(o: DemoGatewayOptions & { cacheKeyFile: string }): string {
  const doc = {
    gateway_id: o.gatewayId,
    links: [
      { name: 'bench', protocol: 'wmbus', device: o.link, stick: o.stick },
      // KMP every 30 s: a demo should show readings soon; a site polls a heat meter every 15 minutes (the default).
      ...(o.kmp ?? []).map((m) => ({ name: `kmp-${m.serial}`, protocol: 'kmp', device: m.device, poll_seconds: DEMO_KMP_POLL_SECONDS })),
      ...(o.dlms ?? []).map((m) =>
        m.pushDevice !== undefined
          ? { name: `han-${m.serial}`, protocol: 'dlms', device: m.pushDevice, push: true }
          : { name: `eye-${m.serial}`, protocol: 'dlms', device: m.device, mode_e: true, authentication: 'hls-gmac', meter: `KAM-${m.serial}`, poll_seconds: DEMO_DLMS_POLL_SECONDS },
      ),
    ],
    core: {
      url: o.coreUrl,
      token_file: o.tokenFile,
      cache_path: join(o.dir, 'gateway', 'key-cache.db'),
      cache_key_file: o.cacheKeyFile,
    },
    mqtt: {
      url: o.mqttUrl,
      client_id: `openeks-${o.gatewayId}`,
      buffer_path: join(o.dir, 'gateway', 'mqtt-buffer.db'),
    },
    http: { enabled: true, host: '127.0.0.1', port: o.httpPort },
  };
  return `# Written by \`openeks demo\` at every start (the bench's pseudo-terminal changes each time).\n${stringify(doc)}`;
}

export async function startDemoGateway(o: DemoGatewayOptions): Promise<DemoGateway> {
  const folder = join(o.dir, 'gateway');
  const cacheKeyFile = join(folder, 'cache.key');
  // The key cache's own key: made once, kept with the demo (a second run reads the same cache).
  if (!existsSync(cacheKeyFile)) await writeFile(cacheKeyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const configFile = join(folder, 'gateway.yaml');
  await writeFile(configFile, demoGatewayYaml({ ...o, cacheKeyFile }), { mode: 0o600 });
  const logFile = join(folder, 'gateway.log');
  const log = openSync(logFile, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(launcher(), ['gateway', '--config', configFile], { stdio: ['ignore', log, log] });
  } finally {
    closeSync(log);
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? String(code)));
    child.once('error', (err) => resolve(err.message));
  });
  return {
    configFile,
    logFile,
    httpUrl: `http://127.0.0.1:${o.httpPort}/`,
    exited,
    async close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    },
  };
}
