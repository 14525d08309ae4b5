import type { Command } from 'commander';
import { CliFailure, print, type CliContext } from '../cli-context.js';

/**
 * `openeks gateway --config FILE` and `openeks gateway validate`: the edge service and the
 * installer's check. Long-running and kept small (RSS goal < 60 MB with 1,000 meters): the work
 * loads inside the actions, and neither loads the EKS core, fastify or a database driver
 * (../README.md).
 */
export function registerGatewayCommand(program: Command, ctx: CliContext): void {
  const gateway = program
    .command('gateway')
    .description('run the meter gateway: read the links, decrypt with the keys the core granted, publish over MQTT')
    .option('--config <file>', 'the gateway configuration (see config/gateway.yaml); for validate: the core and key cache to check keys against')
    .action(async (opts: { config?: string }) => {
      const { runGateway } = await import('../gateway-run.js');
      await runGateway({ config: opts.config, env: ctx.env ?? {}, stopSignal: ctx.stopSignal ?? (() => new Promise<string>(() => undefined)), log: ctx.err });
    });
  gateway
    .command('validate')
    .description('listen, then list every meter heard: key held in the EKS, decrypts or not (exit 0 all decrypt, 1 some do not, 3 nothing heard)')
    .requiredOption('--link <device|tcp://host:port>', 'the serial device or TCP socket of the stick')
    .requiredOption('--stick <name>', 'im871a, iu891a, amb8465, cul or rtlwmbus')
    .option('--seconds <n>', 'how long to listen', '60')
    .option('--json', 'print one JSON document')
    // --config belongs to `gateway` (commander hands it over wherever it stands): list it here too.
    .configureHelp({ showGlobalOptions: true })
    .action(async (_opts: unknown, cmd: Command) => {
      const opts = cmd.optsWithGlobals<{ link: string; stick: string; seconds: string; json?: boolean; config?: string }>();
      const { gatewayValidate, validateText } = await import('../gateway-validate.js');
      const report = await gatewayValidate({ ...opts, env: ctx.env ?? {}, log: ctx.err });
      if (opts.json) print(ctx, JSON.stringify(report));
      else for (const line of validateText(report)) print(ctx, line);
      if (report.exitCode !== 0) {
        throw new CliFailure(report.exitCode === 3 ? 'no meter heard' : `${report.summary.failing} of ${report.summary.heard} meter(s) do not decrypt or have no key`, report.exitCode);
      }
    });
}
