import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

// bin/openeks is the command npm installs: a shell launcher that execs Node on bin/openeks.mjs with
// per-command heap sizing. It must pass arguments through unchanged and return Node's exit code.
const launcher = fileURLToPath(new URL('../../bin/openeks', import.meta.url));
const run = promisify(execFile);

async function openeks(args: string[]) {
  try {
    const { stdout, stderr } = await run(launcher, args, { env: { PATH: process.env.PATH ?? '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('bin/openeks launcher', () => {
  it('is what package.json installs, and runs the CLI', async () => {
    const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin).toEqual({ openeks: 'bin/openeks' });
    const r = await openeks(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: openeks \[options\] \[command\]/);
  });

  it('passes the arguments of a radio command through and returns its usage exit code', async () => {
    const r = await openeks(['wmbus', 'listen', '--link', '/dev/null', '--stick', 'no-such-stick']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--stick must be one of im871a');
  });

  it('keeps arguments with spaces whole', async () => {
    const r = await openeks(['wmbus', 'decode', 'not hex at all']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('the telegram must be hex digits');
  });
});
