import type { Container } from '../core/container.js';
import type { Actor } from '../core/modules/audit/audit-writer.js';
import { CliFailure } from './cli-context.js';

export interface ImportFileInput {
  file: string;
  password?: string;
  newVersion?: boolean;
  customer?: string;
  deliveryDate?: string;
  actor: Actor;
  print(line: string): void;
}

/** `openeks import FILE [--password P] [--new-version]`: the same import as the API's. */
export async function importFile(c: Container, input: ImportFileInput): Promise<void> {
  void c;
  void input;
  throw new CliFailure('import is not built yet');
}
