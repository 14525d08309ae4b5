import type { FieldProblem } from '../../../shared/errors.js';
import { type CodedReason, importProblem } from '../../../shared/inventory/import-problems.js';
import {
  type DeviceKind,
  isDeviceKind,
  isKeyType,
  isMedium,
  type KeyType,
  keyHexProblem,
  MANUFACTURER,
  MAX_TEXT,
  type Medium,
  serialProblem,
} from '../../../shared/inventory/device-fields.js';
import type { ImportRow, ImportValues } from './import-row.js';

// The shape rules of one row, the same for every format (src/shared/inventory/device-fields.ts). What needs the
// database (customer numbers, existing devices, earlier rows) is checked by import-batch.ts.

/** The CSV column of each value: problems name the column the operator sees in the file. */
export const columnOf: Record<keyof ImportValues, string> = {
  serial: 'serial',
  manufacturer: 'manufacturer',
  kind: 'kind',
  medium: 'medium',
  model: 'model',
  typeNo: 'type_no',
  configNo: 'config_no',
  orderNo: 'order_no',
  deliveryNote: 'delivery_note',
  customerNo: 'customer_no',
  keyType: 'key_type',
  key: 'key',
};

type TextColumn = 'model' | 'typeNo' | 'configNo' | 'orderNo' | 'deliveryNote' | 'customerNo';
const textColumns: readonly TextColumn[] = ['model', 'typeNo', 'configNo', 'orderNo', 'deliveryNote', 'customerNo'];

export interface ValidRow {
  row: number;
  manufacturer: string;
  serial: string;
  kind: DeviceKind;
  medium: Medium;
  model: string | null;
  typeNo: string | null;
  configNo: string | null;
  orderNo: string | null;
  deliveryNote: string | null;
  /** The file's number, else the import's option, else null. */
  customerNo: string | null;
  keyType: KeyType;
  /** The key bytes; the caller wipes them once encrypted. */
  key: Buffer;
}

export type Checked = { ok: true; value: ValidRow } | { ok: false; problems: FieldProblem[] };

const problem = (row: number, column: keyof ImportValues, coded: CodedReason): FieldProblem => ({ row, field: columnOf[column], ...coded });
const orNull = (text: string): string | null => (text === '' ? null : text);

/** Checks one row's shape; the key is only decoded when the whole row is acceptable. */
export function checkRow(input: ImportRow, options: { customerNo?: string }): Checked {
  const { row } = input;
  const v: ImportValues = input.values;
  const problems: FieldProblem[] = [];
  if (input.problem) problems.push({ ...input.problem, row: input.problem.row ?? row });
  const trimmed = (column: keyof ImportValues): string => v[column].trim();

  const manufacturer = trimmed('manufacturer');
  if (!MANUFACTURER.test(manufacturer)) problems.push(problem(row, 'manufacturer', importProblem('manufacturer_format', {})));
  const kind = trimmed('kind');
  const serial = trimmed('serial');
  if (!isDeviceKind(kind)) {
    problems.push(problem(row, 'kind', importProblem('kind_unknown', {})));
  } else {
    const serialWrong = serialProblem(kind, serial);
    if (serialWrong) problems.push(problem(row, 'serial', importProblem(serialWrong, {})));
  }
  const medium = trimmed('medium');
  if (!isMedium(medium)) problems.push(problem(row, 'medium', importProblem('medium_unknown', {})));
  for (const column of textColumns) {
    if (trimmed(column).length > MAX_TEXT) problems.push(problem(row, column, importProblem('text_too_long', { max: MAX_TEXT })));
  }
  const keyType = trimmed('keyType');
  if (!isKeyType(keyType)) problems.push(problem(row, 'keyType', importProblem('key_type_unknown', {})));
  const hex = trimmed('key');
  const keyWrong = keyHexProblem(hex);
  if (keyWrong) problems.push(problem(row, 'key', keyWrong.code === 'key_hex' ? importProblem('key_hex', {}) : importProblem('key_length', { length: keyWrong.length })));

  if (problems.length > 0 || !isDeviceKind(kind) || !isMedium(medium) || !isKeyType(keyType)) return { ok: false, problems };
  return {
    ok: true,
    value: {
      row,
      manufacturer,
      serial,
      kind,
      medium,
      model: orNull(trimmed('model')),
      typeNo: orNull(trimmed('typeNo')),
      configNo: orNull(trimmed('configNo')),
      orderNo: orNull(trimmed('orderNo')),
      deliveryNote: orNull(trimmed('deliveryNote')),
      customerNo: orNull(trimmed('customerNo')) ?? options.customerNo ?? null,
      keyType,
      key: Buffer.from(hex, 'hex'),
    },
  };
}
