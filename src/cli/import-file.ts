import { basename, resolve } from 'node:path';
import { systemPrincipal } from '../core/access/principal.js';
import type { Container } from '../core/container.js';
import type { Actor } from '../core/access/actor.js';
import type { ImportView } from '../core/modules/imports/import-service.js';
import { errorCatalog, type ErrorCode } from '../shared/errors.js';
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

const formatNames = { csv: 'CSV', kem: 'KEM', kem2: 'KEM2' } as const;
const count = (n: number, one: string, many: string): string => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
const isCode = (code: string): code is ErrorCode => Object.hasOwn(errorCatalog, code);

/** Every problem on a line of its own (the first 1,000), then how many more there were. */
function printProblems(view: ImportView, print: (line: string) => void): void {
  for (const p of view.problems) {
    const where = [p.row === undefined ? undefined : `row ${p.row}`, p.field, p.offset === undefined ? undefined : `byte ${p.offset}`].filter((x) => x !== undefined).join(', ');
    print(`${where}: ${p.reason}`);
  }
  if (view.problemCount > view.problems.length) print(`… and ${(view.problemCount - view.problems.length).toLocaleString('en')} more`);
}

/** `openeks import FILE [--password P] [--new-version]`: the same import as the API's. */
export async function importFile(c: Container, input: ImportFileInput): Promise<void> {
  const fileName = basename(input.file);
  const started = await c.imports.start({
    path: resolve(input.file),
    fileName,
    ...(input.password === undefined ? {} : { password: input.password }),
    newVersion: input.newVersion === true,
    ...(input.customer === undefined ? {} : { customerNo: input.customer }),
    ...(input.deliveryDate === undefined ? {} : { deliveryDate: input.deliveryDate }),
    principal: systemPrincipal,
    actor: input.actor,
  });
  const view = await c.imports.settled({ principal: systemPrincipal, actor: input.actor, id: started.id });
  if (view.status === 'succeeded') {
    const format = view.format === null ? 'unknown format' : formatNames[view.format];
    input.print(`Imported ${count(view.devicesCreated, 'device', 'devices')}, ${count(view.keysCreated, 'key', 'keys')} from ${fileName} (${format}).`);
    return;
  }
  printProblems(view, input.print);
  const code = view.errorCode ?? 'internal';
  if (code === 'import_rejected') throw new CliFailure(`${fileName} was not imported: ${count(view.problemCount, 'row is', 'rows are')} not valid; nothing was stored.`);
  throw new CliFailure(`${fileName} was not imported: ${isCode(code) ? errorCatalog[code].message : code}`);
}
