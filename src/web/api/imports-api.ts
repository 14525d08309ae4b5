// Imports (operators; docs/inventory.md "Imports"): the file goes up as the raw body, the
// KEM password in a header (never in the URL, so it reaches no log); the import then runs in the
// background and the page polls it.
import type { Static } from '@sinclair/typebox';
import { ImportList, ImportView } from '../../shared/api/imports.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

/** An import run; `bytesTotal` and `bytesDone` are null until the server knows (the upload is still being spooled). */
export type Import = Static<typeof ImportView>;

export interface ImportRequest {
  file: Blob;
  fileName: string;
  password: string;
  newVersion: boolean;
  customerNo: string;
  deliveryDate: string;
}

/** Uploads the file (progress in bytes) and answers the import, which is still running. */
export async function startImport(client: ApiClient, input: ImportRequest, options: { onProgress?(sent: number, total: number): void; signal?: AbortSignal } = {}): Promise<Import> {
  const query = new URLSearchParams({ fileName: input.fileName, newVersion: String(input.newVersion) });
  if (input.customerNo !== '') query.set('customerNo', input.customerNo);
  if (input.deliveryDate !== '') query.set('deliveryDate', input.deliveryDate);
  const headers: Record<string, string> = {};
  if (input.password !== '') headers['x-kem-password'] = input.password;
  return checkResponse(ImportView, await client.upload(`/api/imports?${query.toString()}`, input.file, { headers, ...options }), 'import');
}

export async function getImport(client: ApiClient, id: string, options?: RequestOptions): Promise<Import> {
  return checkResponse(ImportView, await client.get(`/api/imports/${encodeURIComponent(id)}`, options), 'import');
}

export async function listImports(client: ApiClient, options?: RequestOptions): Promise<Import[]> {
  return checkResponse(ImportList, await client.get('/api/imports', options), 'imports').items;
}
