import type { Command } from 'commander';
import type { Settings } from '../../lib/config.js';
import type { CliContext } from '../cli-context.js';

/**
 * `openeks serve`. The CLI does not serve: it checks the configuration and hands the decision
 * back to src/main.ts, the only file that listens and waits for signals (docs/style.md).
 */
export function registerServeCommand(program: Command, ctx: CliContext, serve: (settings: Settings) => void): void {
  program
    .command('serve')
    .description('start the EKS core service (HTTP API and web UI)')
    .action(() => serve(ctx.loadSettings()));
}
