import type { Container } from '../core/container.js';
import type { Actor } from '../core/access/actor.js';
import { systemPrincipal } from '../core/access/principal.js';
import { MAX_DEMO_DEVICES } from '../core/modules/demo/demo-seed-service.js';
import { CliFailure } from './cli-context.js';

export interface DemoSeedInput {
  devices: string;
  seed?: string;
  actor: Actor;
  print(line: string): void;
}

const whole = (text: string): number | undefined => (/^\d{1,9}$/.test(text) ? Number(text) : undefined);

/** `openeks demo seed --devices N`: a realistic demo inventory; never run implicitly. */
export async function demoSeed(c: Container, input: DemoSeedInput): Promise<void> {
  const devices = whole(input.devices);
  if (devices === undefined || devices < 1 || devices > MAX_DEMO_DEVICES) throw new CliFailure(`--devices must be a whole number from 1 to ${MAX_DEMO_DEVICES.toLocaleString('en')}`);
  const seed = input.seed === undefined ? undefined : whole(input.seed);
  if (input.seed !== undefined && (seed === undefined || seed < 1 || seed >= 2 ** 31)) throw new CliFailure('--seed must be a whole number from 1 to 2147483647');
  const result = await c.demo.seed({ devices, ...(seed === undefined ? {} : { seed }), principal: systemPrincipal, actor: input.actor });
  const n = (x: number, one: string, many: string) => `${x.toLocaleString('en')} ${x === 1 ? one : many}`;
  input.print(
    `Demo inventory: ${n(result.devices, 'device', 'devices')} with ${n(result.keys, 'key', 'keys')} in ${n(result.imports, 'delivery', 'deliveries')}, ` +
      `for ${n(result.customers, 'customer account', 'customer accounts')} (${result.customersCreated.toLocaleString('en')} new). Seed ${result.seed}.`,
  );
}
