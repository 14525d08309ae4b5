// Imports (operators; docs/inventory.md "Imports"): the file goes up as the raw body, the
// KEM password in a header (never in the URL, so it reaches no log); the import then runs in the
// background and the page polls it.
import { ApiError, type ApiClient, type RequestOptions } from './client.js';
import { arrayOf, nullableStringOf, numberOf, objectOf, stringOf } from './parse.js';

export interface ImportProblem {
  row: number | null;
  field: string;
  reason: string;
}

export type ImportStatus = 'running' | 'succeeded' | 'failed';

export interface Import {
  id: string;
  fileName: string;
  format: 'csv' | 'kem' | 'kem2' | null;
  status: ImportStatus;
  newVersion: boolean;
  /** null until the server knows (the upload is still being spooled). */
  bytesTotal: number | null;
  bytesDone: number | null;
  rowsDone: number;
  devicesCreated: number;
  keysCreated: number;
  errorCode: string | null;
  problems: ImportProblem[];
  problemCount: number;
  createdAt: string;
  finishedAt: string | null;
}

export interface ImportRequest {
  file: Blob;
  fileName: string;
  password: string;
  newVersion: boolean;
  customerNo: string;
  deliveryDate: string;
}

function mismatch(what: string): ApiError {
  return new ApiError({ status: 200, code: 'bad_response', message: `The server sent an unexpected answer (${what}).` });
}

const nullableNumberOf = (value: unknown, what: string): number | null => (value === null || value === undefined ? null : numberOf(value, what));

function parseProblem(value: unknown): ImportProblem {
  const p = objectOf(value, 'import problem');
  const row = p['row'];
  return {
    row: typeof row === 'number' ? row : null,
    field: stringOf(p['field'], 'problem field'),
    reason: stringOf(p['reason'], 'problem reason'),
  };
}

export function parseImport(value: unknown): Import {
  const i = objectOf(value, 'import');
  const status = i['status'];
  if (status !== 'running' && status !== 'succeeded' && status !== 'failed') throw mismatch('import status');
  const format = i['format'];
  if (format !== 'csv' && format !== 'kem' && format !== 'kem2' && format !== null && format !== undefined) throw mismatch('import format');
  return {
    id: stringOf(i['id'], 'import id'),
    fileName: stringOf(i['fileName'], 'file name'),
    format: format ?? null,
    status,
    newVersion: i['newVersion'] === true,
    bytesTotal: nullableNumberOf(i['bytesTotal'], 'bytes total'),
    bytesDone: nullableNumberOf(i['bytesDone'], 'bytes done'),
    rowsDone: numberOf(i['rowsDone'], 'rows done'),
    devicesCreated: numberOf(i['devicesCreated'], 'devices created'),
    keysCreated: numberOf(i['keysCreated'], 'keys created'),
    errorCode: nullableStringOf(i['errorCode'], 'error code'),
    problems: i['problems'] === undefined ? [] : arrayOf(i['problems'], 'import problems', parseProblem),
    problemCount: typeof i['problemCount'] === 'number' ? i['problemCount'] : 0,
    createdAt: stringOf(i['createdAt'], 'created at'),
    finishedAt: nullableStringOf(i['finishedAt'], 'finished at'),
  };
}

/** Uploads the file (progress in bytes) and answers the import, which is still running. */
export async function startImport(client: ApiClient, input: ImportRequest, options: { onProgress?(sent: number, total: number): void; signal?: AbortSignal } = {}): Promise<Import> {
  const query = new URLSearchParams({ fileName: input.fileName, newVersion: String(input.newVersion) });
  if (input.customerNo !== '') query.set('customerNo', input.customerNo);
  if (input.deliveryDate !== '') query.set('deliveryDate', input.deliveryDate);
  const headers: Record<string, string> = {};
  if (input.password !== '') headers['x-kem-password'] = input.password;
  return parseImport(await client.upload(`/api/imports?${query.toString()}`, input.file, { headers, ...options }));
}

export async function getImport(client: ApiClient, id: string, options?: RequestOptions): Promise<Import> {
  return parseImport(await client.get(`/api/imports/${encodeURIComponent(id)}`, options));
}

export async function listImports(client: ApiClient, options?: RequestOptions): Promise<Import[]> {
  const body = objectOf(await client.get('/api/imports', options), 'imports');
  return arrayOf(body['items'], 'imports', parseImport);
}
