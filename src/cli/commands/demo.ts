import type { Command } from 'commander';
import { cliActor, print, type CliContext } from '../cli-context.js';

/** `openeks demo seed`: demo data only when asked for, never implicitly (../demo-seed.ts). */
export function registerDemoCommand(program: Command, ctx: CliContext): void {
  const demo = program.command('demo').description('demo data');
  demo
    .command('seed')
    .description('create a realistic demo inventory: customers, orders, delivery notes, devices with random keys')
    .requiredOption('--devices <n>', 'how many devices')
    .option('--seed <n>', 'random seed, for the same inventory again')
    .action(async (opts: { devices: string; seed?: string }) => {
      const { withContainer } = await import('../with-container.js');
      const { demoSeed } = await import('../demo-seed.js');
      await withContainer(ctx.loadSettings(), (c) => demoSeed(c, { ...opts, actor: cliActor(), print: (line) => print(ctx, line) }));
    });
}
