// The UI's only way to the server: JSON over fetch, same-origin cookies, the CSRF token on every
// state-changing request, and one typed error for everything that goes wrong.
//
// The CSRF token lives in memory only (never in storage): it comes with every session response
// and is gone when the tab is closed, like the session cookie's purpose.

export interface FieldProblem {
  field: string;
  reason: string;
  /** A count the problem carries (409 `selection_changed`: the selection's new size). */
  count?: number;
}

/** Codes the client itself produces when no server error body is available. */
export type ClientErrorCode = 'network_error' | 'bad_response';

export class ApiError extends Error {
  readonly status: number;
  /** A code from the server's catalogue, or a ClientErrorCode. */
  readonly code: string;
  readonly requestId: string | undefined;
  readonly details: FieldProblem[];

  constructor(init: { status: number; code: string; message: string; requestId?: string; details?: FieldProblem[] }) {
    super(init.message);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.details = init.details ?? [];
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface UploadOptions {
  /** Extra headers (the CSRF header is added by the client). */
  headers?: Record<string, string>;
  /** Bytes of the body sent so far, and of all of it. */
  onProgress?(sent: number, total: number): void;
  signal?: AbortSignal;
}

export interface ApiClient {
  get(path: string, options?: RequestOptions): Promise<unknown>;
  post(path: string, body: unknown, options?: RequestOptions): Promise<unknown>;
  put(path: string, body: unknown, options?: RequestOptions): Promise<unknown>;
  patch(path: string, body: unknown, options?: RequestOptions): Promise<unknown>;
  /** A body is rare on DELETE, but some need one (switching two-factor sign-in off takes the password and a code). */
  delete(path: string, options?: RequestOptions, body?: unknown): Promise<unknown>;
  /**
   * Sends a file as the raw body (`application/octet-stream`) with XMLHttpRequest, which reports
   * upload progress (fetch cannot); answers and fails like the other methods.
   */
  upload(path: string, body: Blob, options?: UploadOptions): Promise<unknown>;
  /**
   * POSTs JSON (with the CSRF header) and hands back the response unread, for an answer that is a
   * file streamed to the browser (a key download); a refusal still rejects with an ApiError.
   */
  download(path: string, body: unknown, options?: RequestOptions): Promise<Response>;
  setCsrfToken(token: string | null): void;
  /** Called whenever the server answers 401 `unauthenticated`: the session has ended. */
  onUnauthenticated(listener: () => void): () => void;
}

export function createApiClient(options: { fetch?: typeof fetch; baseUrl?: string; xhr?: () => XMLHttpRequest } = {}): ApiClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const newXhr = options.xhr ?? (() => new XMLHttpRequest());
  const baseUrl = options.baseUrl ?? '';
  let csrfToken: string | null = null;
  const unauthenticatedListeners = new Set<() => void>();

  async function send(method: Method, path: string, body: unknown, requestOptions: RequestOptions | undefined, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && csrfToken !== null) headers['x-csrf-token'] = csrfToken;

    let response: Response;
    try {
      response = await doFetch(baseUrl + path, {
        method,
        headers,
        credentials: 'same-origin',
        body: body === undefined ? null : JSON.stringify(body),
        signal: requestOptions?.signal ?? null,
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError({ status: 0, code: 'network_error', message: 'The server cannot be reached.' });
    }
    if (!response.ok) {
      const error = toApiError(response.status, await readJson(response));
      if (error.code === 'unauthenticated') for (const listener of unauthenticatedListeners) listener();
      throw error;
    }
    return response;
  }

  async function request(method: Method, path: string, body: unknown, requestOptions: RequestOptions | undefined): Promise<unknown> {
    const response = await send(method, path, body, requestOptions, 'application/json');
    if (response.status === 204) return undefined;
    const payload = await readJson(response);
    if (payload === undefined) {
      throw new ApiError({ status: response.status, code: 'bad_response', message: 'The server sent an unexpected answer.' });
    }
    return payload;
  }

  function upload(path: string, body: Blob, uploadOptions: UploadOptions = {}): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const xhr = newXhr();
      const signal = uploadOptions.signal;
      if (signal?.aborted) {
        reject(new DOMException('The upload was aborted.', 'AbortError'));
        return;
      }
      const onAbort = () => xhr.abort();
      signal?.addEventListener('abort', onAbort, { once: true });
      xhr.open('POST', baseUrl + path);
      xhr.setRequestHeader('accept', 'application/json');
      xhr.setRequestHeader('content-type', 'application/octet-stream');
      if (csrfToken !== null) xhr.setRequestHeader('x-csrf-token', csrfToken);
      for (const [name, value] of Object.entries(uploadOptions.headers ?? {})) xhr.setRequestHeader(name, value);
      const onProgress = uploadOptions.onProgress;
      if (onProgress) xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : body.size));
      xhr.addEventListener('error', () => {
        signal?.removeEventListener('abort', onAbort);
        reject(new ApiError({ status: 0, code: 'network_error', message: 'The server cannot be reached.' }));
      });
      xhr.addEventListener('abort', () => {
        signal?.removeEventListener('abort', onAbort);
        reject(new DOMException('The upload was aborted.', 'AbortError'));
      });
      xhr.addEventListener('load', () => {
        signal?.removeEventListener('abort', onAbort);
        const type = xhr.getResponseHeader('content-type') ?? '';
        let payload: unknown;
        if (type.includes('application/json')) {
          try {
            payload = JSON.parse(xhr.responseText) as unknown;
          } catch {
            payload = undefined;
          }
        }
        if (xhr.status < 200 || xhr.status >= 300) {
          const error = toApiError(xhr.status, payload);
          if (error.code === 'unauthenticated') for (const listener of unauthenticatedListeners) listener();
          reject(error);
          return;
        }
        if (payload === undefined) {
          reject(new ApiError({ status: xhr.status, code: 'bad_response', message: 'The server sent an unexpected answer.' }));
          return;
        }
        resolve(payload);
      });
      xhr.send(body);
    });
  }

  return {
    get: (path, requestOptions) => request('GET', path, undefined, requestOptions),
    post: (path, body, requestOptions) => request('POST', path, body, requestOptions),
    put: (path, body, requestOptions) => request('PUT', path, body, requestOptions),
    patch: (path, body, requestOptions) => request('PATCH', path, body, requestOptions),
    delete: (path, requestOptions, body) => request('DELETE', path, body, requestOptions),
    upload,
    download: (path, body, requestOptions) => send('POST', path, body, requestOptions, '*/*'),
    setCsrfToken(token) {
      csrfToken = token;
    },
    onUnauthenticated(listener) {
      unauthenticatedListeners.add(listener);
      return () => unauthenticatedListeners.delete(listener);
    },
  };
}

async function readJson(response: Response): Promise<unknown> {
  const type = response.headers.get('content-type') ?? '';
  if (!type.includes('application/json')) return undefined;
  try {
    return (await response.json()) as unknown;
  } catch {
    return undefined;
  }
}

/** Parses `{ error: { code, message, requestId, details? } }`; anything else becomes `bad_response`. */
function toApiError(status: number, payload: unknown): ApiError {
  const error = isRecord(payload) ? payload['error'] : undefined;
  if (isRecord(error) && typeof error['code'] === 'string' && typeof error['message'] === 'string') {
    const requestId = error['requestId'];
    return new ApiError({
      status,
      code: error['code'],
      message: error['message'],
      ...(typeof requestId === 'string' ? { requestId } : {}),
      details: parseDetails(error['details']),
    });
  }
  return new ApiError({ status, code: 'bad_response', message: `The server answered with status ${status}.` });
}

function parseDetails(value: unknown): FieldProblem[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) =>
    // A problem that only carries a count (selection_changed) may come without a reason.
    isRecord(item) && typeof item['field'] === 'string' && (typeof item['reason'] === 'string' || typeof item['count'] === 'number')
      ? [{ field: item['field'], reason: typeof item['reason'] === 'string' ? item['reason'] : '', ...(typeof item['count'] === 'number' ? { count: item['count'] } : {}) }]
      : [],
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
