// Downloads (docs/downloads.md): the preview of what leaves, the download itself as a stream, its
// progress, and the step-up that a bulk download needs (the OpenPGP key: openpgp-key-api.ts).
// The dialog calls exactly the routes a third party calls; nothing here is private.
import { ExportPreviewView, ExportView, type ExportBody, type ExportPreviewBody, type ReauthBody } from '../../shared/api/exports.js';
import type { ApiClient, RequestOptions } from './client.js';
import { checkResponse } from './response-check.js';

export type { ExportPreviewView as ExportPreview, ExportView as ExportProgress } from '../../shared/api/exports.js';

/** How many devices and keys will leave, how many stay behind and why, the file's name, and whether a step-up is due. */
export async function previewExport(client: ApiClient, input: ExportPreviewBody, options?: RequestOptions): Promise<ExportPreviewView> {
  return checkResponse(ExportPreviewView, await client.post('/api/exports/preview', input, options), 'export preview');
}

/** Starts the download: the response's headers name the export; its body is the file, not yet read. Rejects with `reauth_required` (401), `validation_failed` (field `password`, `encryptTo`, `selection`), `selection_changed`, `not_found`. */
export function startExport(client: ApiClient, input: ExportBody, options?: RequestOptions): Promise<Response> {
  return client.download('/api/exports', input, options);
}

export async function getExport(client: ApiClient, id: string, options?: RequestOptions): Promise<ExportView> {
  return checkResponse(ExportView, await client.get(`/api/exports/${encodeURIComponent(id)}`, options), 'export');
}

/** Step-up (SEC-25): confirms the password (and the current code where two-factor sign-in is on). Rejects with `invalid_credentials`, `validation_failed` (field `code`). */
export async function reauthenticate(client: ApiClient, input: ReauthBody): Promise<void> {
  await client.post('/api/session/reauth', input);
}
