// One download as the dialog runs it (docs/downloads.md "In the browser"): POST /api/exports, read
// the streamed body while polling GET /api/exports/:id for "rows written / total", then hand the
// bytes over as a Blob with the server's file name. Aborting the signal stops both the stream and
// the polling; a stream the server broke off (an audit that could not be written) is never saved.
import type { ExportBody } from '../../../shared/api/exports.js';
import type { ApiClient } from '../../api/client.js';
import { getExport, startExport } from '../../api/exports-api.js';
import { fileNameOf } from './download-input.js';

export interface DownloadProgress {
  written: number;
  total: number;
}

export interface ReceivedDownload {
  blob: Blob;
  /** The server's file name (Content-Disposition), or null when it sent none. */
  fileName: string | null;
  devices: number;
}

/** The stream ended early or the export says it failed: nothing is saved. `reason` is the export's error code when known. */
export class DownloadBroken extends Error {
  readonly reason: string | null;
  constructor(reason: string | null) {
    super('The download broke off.');
    this.name = 'DownloadBroken';
    this.reason = reason;
  }
}

export const progressPollMs = 500;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

const aborted = () => new DOMException('The download was aborted.', 'AbortError');

export async function runDownload(
  client: ApiClient,
  body: ExportBody,
  options: { signal: AbortSignal; onProgress(progress: DownloadProgress): void; pollMs?: number },
): Promise<ReceivedDownload> {
  const { signal, onProgress } = options;
  const response = await startExport(client, body, { signal });
  const exportId = response.headers.get('x-openeks-export-id');
  const announced = Number(response.headers.get('x-openeks-devices') ?? '');
  let total = Number.isInteger(announced) && announced >= 0 ? announced : 0;
  const fileName = fileNameOf(response.headers.get('content-disposition'));
  const type = response.headers.get('content-type') ?? 'application/octet-stream';
  onProgress({ written: 0, total });

  // Polling stops with the stream; a failed poll only leaves the bar where it was.
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const poll = async (id: string) => {
    while (!stop.signal.aborted) {
      try {
        const view = await getExport(client, id, { signal: stop.signal });
        total = view.total;
        if (!stop.signal.aborted) onProgress({ written: view.rowsWritten, total: view.total });
        if (view.status !== 'running') return;
      } catch {
        if (stop.signal.aborted) return;
      }
      await pause(options.pollMs ?? progressPollMs, stop.signal);
    }
  };
  const polling = exportId === null ? Promise.resolve() : poll(exportId);

  const chunks: Uint8Array[] = [];
  try {
    if (response.body === null) throw new DownloadBroken(null);
    const reader = response.body.getReader();
    for (;;) {
      let part: ReadableStreamReadResult<Uint8Array>;
      try {
        part = await reader.read();
      } catch {
        if (signal.aborted) throw aborted();
        throw new DownloadBroken(null);
      }
      if (part.done) break;
      chunks.push(part.value);
    }
  } finally {
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    await polling;
  }
  if (signal.aborted) throw aborted();

  // The export's own word on how it ended: a stream cut short by the server is no file.
  if (exportId !== null) {
    const view = await getExport(client, exportId, { signal }).catch((err: unknown) => {
      if (signal.aborted) throw aborted();
      void err;
      return null;
    });
    if (view?.status === 'failed') throw new DownloadBroken(view.error);
    if (view !== null) total = view.total;
  }
  onProgress({ written: total, total });
  return { blob: new Blob(chunks as BlobPart[], { type }), fileName, devices: total };
}

/** Saves the bytes as a file in the browser's downloads, under the given name. */
export function saveFile(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The browser has taken the bytes once the click is handled; give it time before letting go.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
