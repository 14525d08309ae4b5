import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CliFailure } from '../../src/cli/cli-context.js';
import { cliCapture } from '../support/cli-capture.js';
import { reportFailure } from '../../src/cli/cli-errors.js';
import { runCli } from '../../src/cli/program.js';
import { loadSettings, type Settings } from '../../src/lib/config.js';
import { envVar } from '../../src/lib/env-vars.js';
import { AppError } from '../../src/shared/errors.js';

// runCli in this process: what it hands back to src/main.ts, and when it reads the configuration.

function context(load: () => Settings) {
  let loads = 0;
  const c = cliCapture({
    loadSettings: () => {
      loads += 1;
      return load();
    },
  });
  return { ...c, loads: () => loads };
}

describe('runCli', () => {
  it('`serve` serves nothing itself: it hands the loaded settings back to main.ts', async () => {
    const settings = loadSettings({ [envVar.port]: '9999' });
    const c = context(() => settings);
    const outcome = await runCli(['serve'], c.ctx);
    expect(outcome).toEqual({ serve: settings });
    expect(c.loads()).toBe(1);
    expect(c.stdout() + c.stderr()).toBe('');
  });

  it('`serve` with a malformed variable exits 2 naming it, like every command', async () => {
    const c = context(() => loadSettings({ [envVar.port]: 'eighty' }));
    expect(await runCli(['serve'], c.ctx)).toEqual({ exitCode: 2 });
    expect(c.stderr()).toBe('openeks: configuration error: OPENEKS_PORT: must be a port number from 0 to 65535\n');
  });

  it('lists every command in help, serve first', async () => {
    const c = context(() => loadSettings({}));
    expect(await runCli(['--help'], c.ctx)).toEqual({ exitCode: 0 });
    const commands = [...c.stdout().matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]);
    expect(commands).toEqual(['serve', 'migrate', 'operator', 'master-key', 'audit', 'mail', 'import', 'grant', 'revoke', 'grants', 'export', 'tokens', 'check-telegram', 'demo', 'wmbus', 'dlms', 'kmp', 'simulate', 'gateway', 'help']);
    expect(c.loads()).toBe(0);
  });

  it('reads no configuration for a command that needs none', async () => {
    const c = context(() => {
      throw new Error('no configuration needed');
    });
    expect(await runCli(['wmbus', 'decode', 'zz'], c.ctx)).toEqual({ exitCode: 2 });
    expect(c.stderr()).toContain('the telegram must be hex digits');
    expect(c.loads()).toBe(0);
  });
});

describe('reportFailure', () => {
  it('prints one line per failure and chooses the exit code', () => {
    const cases: [unknown, number, string][] = [
      [new CliFailure('the file is empty', 3), 3, 'openeks: the file is empty\n'],
      [new AppError('not_found'), 1, 'openeks: Not found.\n'],
      [new Error('listen EADDRINUSE: address already in use 127.0.0.1:8080'), 1, 'openeks: listen EADDRINUSE: address already in use 127.0.0.1:8080\n'],
      ['a string', 1, 'openeks: failed\n'],
    ];
    for (const [err, code, line] of cases) {
      let written = '';
      const stream = new PassThrough();
      stream.on('data', (c: Buffer) => (written += c.toString()));
      expect(reportFailure(err, stream)).toBe(code);
      stream.end();
      expect(written).toBe(line);
    }
  });
});
