// The UI's only way to the server: JSON over fetch, same-origin cookies, the CSRF token on every
// state-changing request, and one typed error for everything that goes wrong.
//
// The CSRF token lives in memory only (never in storage): it comes with every session response
// and is gone when the tab is closed, like the session cookie's purpose.

export interface FieldProblem {
  field: string;
  reason: string;
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

export interface ApiClient {
  get(path: string, options?: RequestOptions): Promise<unknown>;
  post(path: string, body: unknown, options?: RequestOptions): Promise<unknown>;
  put(path: string, body: unknown, options?: RequestOptions): Promise<unknown>;
  patch(path: string, body: unknown, options?: RequestOptions): Promise<unknown>;
  /** A body is rare on DELETE, but some need one (switching two-factor sign-in off takes the password and a code). */
  delete(path: string, options?: RequestOptions, body?: unknown): Promise<unknown>;
  setCsrfToken(token: string | null): void;
  /** Called whenever the server answers 401 `unauthenticated`: the session has ended. */
  onUnauthenticated(listener: () => void): () => void;
}

export function createApiClient(options: { fetch?: typeof fetch; baseUrl?: string } = {}): ApiClient {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const baseUrl = options.baseUrl ?? '';
  let csrfToken: string | null = null;
  const unauthenticatedListeners = new Set<() => void>();

  async function request(method: Method, path: string, body: unknown, requestOptions: RequestOptions | undefined): Promise<unknown> {
    const headers: Record<string, string> = { accept: 'application/json' };
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

    if (response.status === 204) return undefined;
    const payload = await readJson(response);

    if (!response.ok) {
      const error = toApiError(response.status, payload);
      if (error.code === 'unauthenticated') for (const listener of unauthenticatedListeners) listener();
      throw error;
    }
    if (payload === undefined) {
      throw new ApiError({ status: response.status, code: 'bad_response', message: 'The server sent an unexpected answer.' });
    }
    return payload;
  }

  return {
    get: (path, requestOptions) => request('GET', path, undefined, requestOptions),
    post: (path, body, requestOptions) => request('POST', path, body, requestOptions),
    put: (path, body, requestOptions) => request('PUT', path, body, requestOptions),
    patch: (path, body, requestOptions) => request('PATCH', path, body, requestOptions),
    delete: (path, requestOptions, body) => request('DELETE', path, body, requestOptions),
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
    isRecord(item) && typeof item['field'] === 'string' && typeof item['reason'] === 'string'
      ? [{ field: item['field'], reason: item['reason'] }]
      : [],
  );
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
