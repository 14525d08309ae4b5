import type { Container } from '../core/container.js';
import type { Actor } from '../core/modules/audit/audit-writer.js';
import { CliFailure } from './cli-context.js';

export interface DemoSeedInput {
  devices: string;
  seed?: string;
  actor: Actor;
  print(line: string): void;
}

/** `openeks demo seed --devices N`: a realistic demo inventory; never run implicitly. */
export async function demoSeed(c: Container, input: DemoSeedInput): Promise<void> {
  void c;
  void input;
  throw new CliFailure('demo seed is not built yet');
}
