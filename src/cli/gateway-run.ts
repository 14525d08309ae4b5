import { GatewayConfigError, loadGatewayConfig, type GatewayConfig } from '../gateway/config/gateway-config.js';
import { startGateway, type GatewayHandle } from '../gateway/gateway-service.js';
import { CliFailure } from './cli-context.js';
import { gatewayLogger } from './gateway-log.js';

// `openeks gateway --config FILE`: the gateway until SIGINT/SIGTERM, then a graceful close (the
// status `offline` published, the buffer closed). Exit 2 for a bad configuration (the message
// names file:line and key), 1 for a failure at run time (docs/gateway-running.md).

export interface GatewayRunInput {
  config?: string;
  env: NodeJS.ProcessEnv;
  /** Resolves with the signal's name when the gateway is asked to stop. */
  stopSignal(): Promise<string>;
  /** Log lines (standard error). */
  log: { write(text: string): unknown };
  /** Tests: the running gateway. */
  onStarted?(gateway: GatewayHandle): void;
}

export async function readGatewayConfig(path: string | undefined, env: NodeJS.ProcessEnv): Promise<GatewayConfig> {
  if (path === undefined || path === '') throw new CliFailure('--config FILE is required (an example: config/gateway.yaml)', 2);
  try {
    return await loadGatewayConfig(path, env);
  } catch (err) {
    if (err instanceof GatewayConfigError) throw new CliFailure(`configuration error: ${err.message}`, 2);
    const code = err instanceof Error && 'code' in err && typeof err.code === 'string' ? ` (${err.code})` : '';
    throw new CliFailure(`configuration error: cannot read "${path}"${code}`, 2);
  }
}

export async function runGateway(input: GatewayRunInput): Promise<void> {
  const config = await readGatewayConfig(input.config, input.env);
  const log = gatewayLogger(input.env, input.log);
  let gateway: GatewayHandle;
  try {
    gateway = await startGateway({ config, log });
  } catch (err) {
    log.error({ err }, 'the gateway could not start');
    throw new CliFailure(`the gateway could not start: ${err instanceof Error ? err.message : 'failed'}`, 1);
  }
  input.onStarted?.(gateway);
  const signal = await input.stopSignal();
  log.info({ signal }, 'stopping');
  await gateway.close();
}
