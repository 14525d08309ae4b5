import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRetained, gatewayEnv, gatewayYaml, startPtyBench, until, watchMqtt, type MqttWatch, type PtyBench } from '../support/gateway-bench.js';

// `openeks gateway --config` as the process an operator runs (bin/openeks): JSON log lines on
// standard error, the status page, and on SIGTERM a graceful close (status offline) with exit 0;
// exit 1 when it cannot start. The core is unreachable here on purpose: the gateway runs anyway.

const launcher = fileURLToPath(new URL('../../bin/openeks', import.meta.url));
const prefix = `openeks-proc-${process.pid}-${randomBytes(4).toString('hex')}`;

let dir: string;
let bench: PtyBench;
let watch: MqttWatch;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-gw-proc-'));
  bench = await startPtyBench({ stick: 'cul' });
  watch = await watchMqtt(prefix);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await bench?.close();
  if (watch) {
    await clearRetained(watch);
    await watch.close();
  }
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(name: string, httpPort: number): Promise<string> {
  const path = join(dir, `${name}.yaml`);
  await writeFile(path, gatewayYaml({
    gatewayId: name, links: [{ name: 'cul', device: bench.link, stick: 'cul' }], coreUrl: 'http://127.0.0.1:9',
    cachePath: join(dir, `${name}-keys.db`), topicPrefix: prefix, bufferPath: join(dir, `${name}-buffer.db`), httpPort,
  }));
  return path;
}

function start(config: string) {
  const env = { PATH: process.env.PATH ?? '', ...gatewayEnv(`oeks_${'B'.repeat(43)}`, randomBytes(32)), OPENEKS_LOG_LEVEL: 'info' };
  const child = spawn(launcher, ['gateway', '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const records = () => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, exited, stderr: () => stderr, records };
}

describe('openeks gateway (the process)', () => {
  it('logs JSON to standard error, serves its page, and closes on SIGTERM: status offline, exit 0', async () => {
    const gw = start(await writeConfig('proc', 0));
    const page = await until(() => gw.records().find((r) => r.msg === 'status page'), 'the status page line', { tries: 1500, stepMs: 40 });
    await until(() => gw.records().some((r) => r.msg === 'gateway started'), 'the gateway to start');
    const status = (await (await fetch(String(page.url) + 'api/status')).json()) as Record<string, unknown>;
    expect(status).toMatchObject({ gatewayId: 'proc', links: [{ name: 'cul' }], keys: { state: 'not-synced' } });
    await until(() => watch.on('/proc/status').some((m) => m.text === 'online'), 'status online');
    gw.child.kill('SIGTERM');
    expect(await gw.exited).toBe(0);
    expect(watch.on('/proc/status').at(-1)?.text).toBe('offline');
    expect(gw.records().map((r) => r.msg)).toContain('gateway stopped');
    expect(gw.records().every((r) => r.service === 'openeks-gateway' && typeof r.level === 'number')).toBe(true);
    expect(gw.stderr()).not.toContain('B'.repeat(43));
  });

  it('exits 1 when it cannot start (the page\'s port is taken), saying why', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', () => resolve()));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const gw = start(await writeConfig('busy', port));
      expect(await gw.exited).toBe(1);
      expect(gw.stderr()).toContain(`openeks: the gateway could not start: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`);
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });
});
