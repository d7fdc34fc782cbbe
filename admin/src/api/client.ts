import createClient, { type Middleware } from 'openapi-fetch';
import { ApiError, toApiError } from './errors.js';
import type { paths } from './generated/schema.js';

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let csrfToken: string | null = null;

/** Remembered from /me and login; sent as x-csrf-token on every cookie-authenticated change. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Listeners told when a request answers 401 (the session ended). */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function decorate(request: Request): Request {
  if (UNSAFE.has(request.method) && csrfToken) request.headers.set('x-csrf-token', csrfToken);
  return request;
}

function notifyUnauthorized(url: string, status: number): void {
  if (status === 401 && !url.includes('/auth/login')) unauthorizedListeners.forEach((l) => l());
}

const middleware: Middleware = {
  onRequest: ({ request }) => decorate(request),
  onResponse: ({ request, response }) => {
    notifyUnauthorized(request.url, response.status);
    return undefined;
  },
};

/** The typed client for routes in the OpenAPI document (see scripts/gen-api-types.ts). */
export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(middleware);

/** A fresh idempotency key, also on plain-HTTP hosts where crypto.randomUUID is unavailable. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** openapi-fetch result -> data, or throw ApiError. */
export async function unwrap<T>(pending: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await pending;
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw toApiError(0, null);
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error);
  return result.data as T;
}

export type Query = Record<string, string | number | boolean | string[] | null | undefined>;

export function toSearch(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v)) {
      if (v.length) params.set(k, v.join(','));
    } else params.set(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/**
 * Same conventions as the typed client, for routes whose types are declared by hand in
 * models.ts (features whose schemas are not in the generated document yet).
 */
export async function request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
  const headers = new Headers({ accept: 'application/json' });
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(opts.body);
  }
  if (opts.idempotencyKey) headers.set('idempotency-key', opts.idempotencyKey);
  const req = decorate(new Request(path + toSearch(opts.query), { method, headers, body, credentials: 'same-origin', signal: opts.signal }));
  let response: Response;
  try {
    response = await fetch(req);
  } catch (err) {
    if (err instanceof DOMException && err.name === 'AbortError') throw err;
    throw toApiError(0, null);
  }
  notifyUnauthorized(req.url, response.status);
  const text = await response.text();
  let parsed: unknown = null;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!response.ok) throw toApiError(response.status, parsed);
  return parsed as T;
}

export function isApiError(err: unknown, code?: string): err is ApiError {
  return err instanceof ApiError && (code === undefined || err.code === code);
}
