import type { Command } from 'commander';
import { CliFailure, cliActor, print, type CliContext } from '../cli-context.js';

/**
 * `openeks demo`: the whole chain on one machine (../demo/run-demo.ts, docs/demo.md);
 * `openeks demo seed`: demo data only when asked for, never implicitly (../demo-seed.ts).
 */
export function registerDemoCommand(program: Command, ctx: CliContext): void {
  const demo = program
    .command('demo')
    .description('run the demo: a core with demo data, the simulated bench, an MQTT broker and the gateway reading the bench (Ctrl-C stops it)')
    .option('--dir <folder>', 'the demo data folder (reused by the next run)', './demo-data')
    .option('--bench <file>', 'the bench configuration (default config/bench.yaml)')
    .action(async (opts: { dir: string; bench?: string }) => {
      const until = ctx.stopSignal;
      if (until === undefined) throw new CliFailure('openeks demo runs until Ctrl-C and needs a terminal process');
      const { runDemo } = await import('../demo/run-demo.js');
      await runDemo(ctx.loadSettings(), {
        dir: opts.dir,
        ...(opts.bench === undefined ? {} : { bench: opts.bench }),
        actor: cliActor(),
        print: (line) => print(ctx, line),
        progress: (line) => ctx.err.write(`${line}\n`),
        untilInterrupted: until(),
      });
    });
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
