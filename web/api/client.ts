import { ERROR_STATUS, type ErrorCode } from '../../common/errors';
import type { Locale } from '../../common/i18n';
import type { ErrorBody } from '../../common/schemas/common';

/** A failed API call: the server's stable `code`, its localised `message`, and `details` as sent. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;
  constructor(status: number, body: ErrorBody['error']) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.details = body.details;
  }
}

export type QueryParams = Record<string, string | number | boolean | null | undefined>;

type RequestOptions = {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  query?: QueryParams;
  body?: unknown;
  /** Do not treat a 401 as "the session has ended" (the login form and the session probe). */
  allowUnauthenticated?: boolean;
};

/** Request-wide state the session and language providers keep current. */
const state: { csrfToken: string | null; locale: Locale; onUnauthorized: (() => void) | null } = {
  csrfToken: null,
  locale: 'zh-CN',
  onUnauthorized: null,
};

export function setCsrfToken(token: string | null) {
  state.csrfToken = token;
}
export function setRequestLocale(locale: Locale) {
  state.locale = locale;
}
/** Called when any request answers 401: the session expired or was revoked. */
export function setUnauthorizedHandler(handler: (() => void) | null) {
  state.onUnauthorized = handler;
}

export function toQueryString(query: QueryParams | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The headers of every call: what it accepts, the UI language for messages, the CSRF token on writes, JSON bodies. */
function headersFor(method: string, body: unknown, accept = 'application/json'): Record<string, string> {
  const headers: Record<string, string> = { accept, 'accept-language': state.locale };
  // A FormData body (file uploads) sets its own multipart content type.
  if (body !== undefined && !(body instanceof FormData)) headers['content-type'] = 'application/json';
  if (method !== 'GET' && state.csrfToken) headers['x-csrf-token'] = state.csrfToken;
  return headers;
}

async function send(path: string, options: RequestOptions, accept?: string): Promise<Response> {
  const method = options.method ?? 'GET';
  const body = options.body;
  try {
    return await fetch(`${path}${toQueryString(options.query)}`, {
      method,
      headers: headersFor(method, body, accept),
      credentials: 'same-origin',
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { code: 'NETWORK_ERROR', message: '' });
  }
}

const parseJson = (text: string): unknown => {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
};

/** The ApiError of a failed answer (and "the session has ended" on a 401). */
function failure(response: Response, payload: unknown, options: RequestOptions): ApiError {
  const error = (payload as ErrorBody | null)?.error ?? { code: `HTTP_${response.status}`, message: '' };
  if (response.status === 401 && !options.allowUnauthenticated) state.onUnauthorized?.();
  return new ApiError(response.status, error);
}

/**
 * The one way the web app talks to the API: same-origin cookie, JSON, the CSRF token on
 * writes, the UI language for error messages, and `ApiError` for every failure.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  const payload = parseJson(await response.text());
  if (!response.ok) throw failure(response, payload, options);
  return payload as T;
}

/** The name in a `content-disposition` header (`filename*=UTF-8''…` or `filename="…"`). */
function filenameOf(disposition: string | null): string | null {
  if (!disposition) return null;
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (encoded) {
    try {
      return decodeURIComponent(encoded[1]);
    } catch {
      return null;
    }
  }
  return /filename="?([^";]+)"?/i.exec(disposition)?.[1] ?? null;
}

/**
 * A file the API sends (a download the server may refuse, e.g. a document it cannot generate): its bytes and
 * the name the server gave it, or `ApiError` with the server's reason — never an error page saved as the file.
 */
export async function apiFile(path: string): Promise<{ blob: Blob; filename: string | null }> {
  const response = await send(path, {}, '*/*');
  if (!response.ok) throw failure(response, parseJson(await response.text()), {});
  return { blob: await response.blob(), filename: filenameOf(response.headers.get('content-disposition')) };
}

/** A line of a streamed answer: progress while the server works, then the result (`{ type: 'result', … }`) or an error. */
type StreamLine =
  { type: 'progress'; done: number; total: number } | { type: 'error'; error: ErrorBody['error'] } | { type: 'result' };

/**
 * A call whose answer streams newline-delimited JSON (`Accept: application/x-ndjson`), for
 * long work: `onProgress(done, total)` for each progress line; resolves with the result line,
 * throws `ApiError` for an error line (with the status its code has) or an answer that ends early.
 */
export async function apiWithProgress<T extends { type: 'result' }>(
  path: string,
  options: RequestOptions,
  onProgress: (done: number, total: number) => void,
): Promise<T> {
  const response = await send(path, options, 'application/x-ndjson');
  if (!response.ok || !response.body) throw failure(response, parseJson(await response.text()), options);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const lost = () => new ApiError(0, { code: 'NETWORK_ERROR', message: '' });
  let buffer = '';
  for (let ended = false; !ended;) {
    try {
      const chunk = await reader.read();
      ended = chunk.done;
      buffer += chunk.done ? '\n' : chunk.value;
    } catch {
      throw lost();
    }
    const lines = buffer.split('\n');
    buffer = lines.pop()!;
    for (const text of lines) {
      const line = parseJson(text) as StreamLine | null;
      if (!line) continue;
      if (line.type === 'progress') onProgress(line.done, line.total);
      else if (line.type === 'error') throw new ApiError(ERROR_STATUS[line.error.code as ErrorCode] ?? 500, line.error);
      else {
        void reader.cancel().catch(() => {});
        return line as T;
      }
    }
  }
  throw lost(); // the answer ended before its result
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
