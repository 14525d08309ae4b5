import { PassThrough } from 'node:stream';
import type { CliContext } from '../../src/cli/cli-context.js';
import type { Settings } from '../../src/lib/config.js';

/**
 * A CliContext in memory for runCli in the test's own process: what the command writes to its
 * output and error streams is collected, and `stop` plays the first Ctrl-C for the commands that
 * run until one (gateway run). Without `loadSettings` the commands must not read the EKS settings.
 */
export function cliCapture(options: { env?: NodeJS.ProcessEnv; loadSettings?: () => Settings } = {}) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (c: Buffer) => (stdout += c.toString()));
  err.on('data', (c: Buffer) => (stderr += c.toString()));
  let stop: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const ctx: CliContext = {
    loadSettings:
      options.loadSettings ??
      (() => {
        throw new Error('this command needs no EKS settings');
      }),
    out,
    err,
    ...(options.env === undefined ? {} : { env: options.env }),
    stopSignal: () => stopped,
  };
  return { ctx, stdout: () => stdout, stderr: () => stderr, stop };
}
