import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliCapture } from '../support/cli-capture.js';
import { runCli } from '../../src/cli/program.js';
import { gatewayEnv, gatewayYaml, startPtyBench, until, type PtyBench } from '../support/gateway-bench.js';

// `openeks gateway` and `openeks gateway validate` in this process (runCli): exit codes, messages,
// the validate table and JSON against the simulated bench. Validation with the core's keys is in
// gateway-e2e.test.ts.

const context = (env: NodeJS.ProcessEnv = {}) => cliCapture({ env });

let dir: string;
let bench: PtyBench;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openeks-gw-cli-'));
  bench = await startPtyBench({ stick: 'im871a' });
});
afterAll(async () => {
  await bench?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('openeks gateway', () => {
  it('exits 2 without --config, and for a malformed file naming file:line and key', async () => {
    const none = context();
    expect(await runCli(['gateway'], none.ctx)).toEqual({ exitCode: 2 });
    expect(none.stderr()).toBe('openeks: --config FILE is required (an example: config/gateway.yaml)\n');

    const path = join(dir, 'bad.yaml');
    await writeFile(path, gatewayYaml({ gatewayId: 'gw', links: [{ name: 's', device: bench.link, stick: 'im871a' }], coreUrl: 'http://127.0.0.1:9', cachePath: join(dir, 'c.db'), topicPrefix: 'p', bufferPath: join(dir, 'b.db') }).replace('sync_interval_seconds: 30', 'sync_interval_seconds: 90'));
    const bad = context(gatewayEnv(`oeks_${'A'.repeat(43)}`, randomBytes(32)));
    expect(await runCli(['gateway', '--config', path], bad.ctx)).toEqual({ exitCode: 2 });
    expect(bad.stderr()).toMatch(/^openeks: configuration error: bad\.yaml:10: core\.sync_interval_seconds: .*from 5 to 55, not 90\n$/);

    const missing = context();
    expect(await runCli(['gateway', '--config', join(dir, 'nothing.yaml')], missing.ctx)).toEqual({ exitCode: 2 });
    expect(missing.stderr()).toMatch(/^openeks: configuration error: .*nothing\.yaml/);
  });

  it('exits 2 for a log level nobody knows, before starting anything', async () => {
    const path = join(dir, 'good.yaml');
    await writeFile(path, gatewayYaml({ gatewayId: 'gw', links: [{ name: 's', device: bench.link, stick: 'im871a' }], coreUrl: 'http://127.0.0.1:9', cachePath: join(dir, 'c.db'), topicPrefix: 'p', bufferPath: join(dir, 'b.db') }));
    const c = context({ ...gatewayEnv(`oeks_${'A'.repeat(43)}`, randomBytes(32)), OPENEKS_LOG_LEVEL: 'loud' });
    expect(await runCli(['gateway', '--config', path], c.ctx)).toEqual({ exitCode: 2 });
    expect(c.stderr()).toBe('openeks: OPENEKS_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent\n');
  });
});

describe('openeks gateway validate', () => {
  it('refuses bad arguments with exit 2', async () => {
    const cases: [string[], string][] = [
      [['--link', bench.link, '--stick', 'im999'], '--stick must be one of im871a, iu891a, amb8465, cul, rtlwmbus'],
      [['--link', 'ttyUSB0', '--stick', 'im871a'], '--link: "ttyUSB0" is neither an absolute device path nor tcp://HOST:PORT'],
      [['--link', bench.link, '--stick', 'im871a', '--seconds', '0'], '--seconds must be a whole number from 1 to 86400'],
      [['--link', bench.link, '--stick', 'im871a', '--seconds', '2.5'], '--seconds must be a whole number from 1 to 86400'],
    ];
    for (const [args, message] of cases) {
      const c = context();
      expect(await runCli(['gateway', 'validate', ...args], c.ctx), args.join(' ')).toEqual({ exitCode: 2 });
      expect(c.stderr()).toBe(`openeks: ${message}\n`);
    }
  });

  it('exits 3 when nothing is heard', async () => {
    const c = context();
    expect(await runCli(['gateway', 'validate', '--link', bench.link, '--stick', 'im871a', '--seconds', '1'], c.ctx)).toEqual({ exitCode: 3 });
    expect(c.stdout()).toBe(`nothing heard on ${bench.link} in 1 s\n`);
    expect(c.stderr()).toContain('openeks: no meter heard\n');
  });

  it('without --config lists every meter heard with its signal, says no key was checked, and exits 1', async () => {
    // socat ends when the host closes its side (the previous test did): a fresh pseudo-terminal at the same path.
    await bench.unplug();
    await bench.plugIn();
    const c = context();
    const done = runCli(['gateway', 'validate', '--link', bench.link, '--stick', 'im871a', '--seconds', '2', '--json'], c.ctx);
    await until(() => c.stderr().includes('# listening on'), 'validate to listen');
    const sent = [0, 1, 2, 3, 0].map((i) => bench.receiver.sendNow(i));
    expect(await done).toEqual({ exitCode: 1 });
    const report = JSON.parse(c.stdout()) as { meters: Record<string, unknown>[]; summary: unknown; exitCode: number; keys: { state: string } };
    expect(report.exitCode).toBe(1);
    expect(report.keys.state).toBe('not-synced');
    expect(report.summary).toEqual({ heard: 4, decrypt: 0, failing: 4 });
    const last = (i: number) => sent.filter((t) => t.meter === bench.meters[i]).at(-1)?.rssiDbm;
    expect(report.meters.map((m) => [m.meterKey, m.manufacturer, m.id, m.telegrams, m.rssiDbm, m.key, m.decrypts])).toEqual([
      ['DME-40312233', 'DME', '40312233', 1, last(3), 'not-synced', 'unknown'],
      ['KAM-63941885', 'KAM', '63941885', 2, last(0), 'not-synced', 'unknown'],
      ['KAM-67123456', 'KAM', '67123456', 1, last(2), 'not-synced', 'unknown'],
      ['KAW-71502713', 'KAW', '71502713', 1, last(1), 'not-synced', 'unknown'],
    ]);
  });
});
