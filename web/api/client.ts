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

/**
 * The one way the web app talks to the API: same-origin cookie, JSON, the CSRF token on
 * writes, the UI language for error messages, and `ApiError` for every failure.
 */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json', 'accept-language': state.locale };
  const isForm = options.body instanceof FormData;
  // A FormData body (file uploads) sets its own multipart content type.
  if (options.body !== undefined && !isForm) headers['content-type'] = 'application/json';
  if (method !== 'GET' && state.csrfToken) headers['x-csrf-token'] = state.csrfToken;

  let response: Response;
  try {
    response = await fetch(`${path}${toQueryString(options.query)}`, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.body === undefined ? undefined : isForm ? (options.body as FormData) : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, { code: 'NETWORK_ERROR', message: '' });
  }

  const text = await response.text();
  let payload: unknown = null;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch {
      payload = null;
    }
  }
  if (!response.ok) {
    const error = (payload as ErrorBody | null)?.error ?? { code: `HTTP_${response.status}`, message: '' };
    if (response.status === 401 && !options.allowUnauthenticated) state.onUnauthorized?.();
    throw new ApiError(response.status, error);
  }
  return payload as T;
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}
