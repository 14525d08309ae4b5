import type { FieldProblem } from '../../../shared/errors.js';
import type { Selectable } from 'kysely';
import type { ImportsTable } from '../../db/schema.js';

/** `Import` of the API (docs/inventory.md "Imports"). */
export interface ImportView {
  id: string;
  fileName: string;
  format: 'csv' | 'kem' | 'kem2' | null;
  status: 'running' | 'succeeded' | 'failed';
  newVersion: boolean;
  bytesTotal: number | null;
  bytesDone: number | null;
  rowsDone: number;
  devicesCreated: number;
  keysCreated: number;
  errorCode: string | null;
  problems: FieldProblem[];
  problemCount: number;
  createdAt: string;
  finishedAt: string | null;
}

/** Progress of the import running in this instance, newer than its row (SQLite keeps it here). */
export interface LiveProgress {
  rowsDone: number;
  bytesDone: number;
  format: ImportView['format'];
}

function parseProblems(text: string | null): FieldProblem[] {
  if (text === null) return [];
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? (parsed as FieldProblem[]) : [];
}

export function importView(row: Selectable<ImportsTable>, live?: LiveProgress): ImportView {
  return {
    id: row.id,
    fileName: row.file_name,
    format: live?.format ?? row.format,
    status: row.status,
    newVersion: Number(row.new_version) === 1,
    bytesTotal: row.bytes_total === null ? null : Number(row.bytes_total),
    bytesDone: live ? live.bytesDone : row.bytes_done === null ? null : Number(row.bytes_done),
    rowsDone: live ? live.rowsDone : Number(row.rows_done),
    devicesCreated: Number(row.devices_created),
    keysCreated: Number(row.keys_created),
    errorCode: row.error_code,
    problems: parseProblems(row.problems),
    problemCount: Number(row.problem_count),
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}
