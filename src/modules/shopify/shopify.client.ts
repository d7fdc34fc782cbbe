import { DEFAULT_TIMEOUT_MS, isPublicAddress, OutboundError, outboundRequest } from '../../core/outbound-http.js';
import { parseLosslessJson, type JsonValue } from './lossless-json.js';

/** The Admin API version Patron speaks (webhook bodies are serialized in it too). */
export const SHOPIFY_API_VERSION = '2026-01';

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,59}\.myshopify\.com$/;

/** A shop's permanent domain (`name.myshopify.com`), lower-cased; null when it is not one. */
export function normalizeShopDomain(raw: string): string | null {
  const shop = raw.trim().toLowerCase();
  return SHOP_DOMAIN.test(shop) ? shop : null;
}

export function defaultApiUrl(shop: string): string {
  return `https://${shop}`;
}

/** True for addresses Patron never calls unless the operator set the API URL themself (the guarded client's rule). */
export function isPrivateAddress(address: string): boolean {
  return !isPublicAddress(address);
}

export class ShopifyCallError extends Error {
  constructor(
    message: string,
    /** Worth retrying later (network, 5xx, throttling). */
    readonly retryable: boolean,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

export interface ShopifyTarget {
  apiUrl: string;
  /** The API URL was set by the operator (`--api-url`): private addresses are allowed. */
  trustedUrl: boolean;
}

export interface HttpReply {
  status: number;
  body: string;
}

/** GraphQL pages can be large; anything beyond this is refused rather than cut. */
const MAX_ANSWER_BYTES = 10 * 1024 * 1024;

/** One HTTP POST through the guarded outbound client; never follows redirects; the body text is returned whatever the status. */
export async function postOutbound(target: ShopifyTarget, path: string, body: string, headers: Record<string, string>): Promise<HttpReply> {
  const url = new URL(path, target.apiUrl.endsWith('/') ? target.apiUrl : `${target.apiUrl}/`);
  if (url.protocol !== 'https:' && !(target.trustedUrl && url.protocol === 'http:')) {
    throw new ShopifyCallError(`Refusing to call ${url.protocol}// URLs; Shopify is called over https`, false);
  }
  try {
    const reply = await outboundRequest({
      url: url.toString(),
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
      body,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxBodyBytes: MAX_ANSWER_BYTES,
      allowPrivate: target.trustedUrl,
    });
    if (reply.truncated) throw new ShopifyCallError('Shopify answered more than 10 MB', false, reply.status);
    return { status: reply.status, body: reply.body };
  } catch (err) {
    if (err instanceof OutboundError) {
      const message = err.kind === 'private_address' ? `${err.message}; Patron does not call those` : err.kind === 'timeout' ? `Shopify did not answer in time: ${err.message}` : `Could not reach ${url.host}: ${err.message}`;
      throw new ShopifyCallError(message, err.retryable);
    }
    throw err;
  }
}

type Json = JsonValue;
const obj = (v: Json | undefined): Record<string, Json> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : {});

export interface GraphqlOptions {
  /** Waits between throttled attempts (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
  maxAttempts?: number;
}

/**
 * Calls the Admin GraphQL API. A `THROTTLED` answer (the cost bucket is empty) is retried
 * after the time the bucket needs to refill for the requested cost, read from
 * `extensions.cost` (with a growing fallback), at most `maxAttempts` times.
 */
export async function shopifyGraphql(
  target: ShopifyTarget,
  accessToken: string,
  query: string,
  variables: Record<string, unknown>,
  opts: GraphqlOptions = {},
): Promise<Record<string, Json>> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const attempts = opts.maxAttempts ?? 5;
  for (let attempt = 1; ; attempt++) {
    const reply = await postOutbound(target, `admin/api/${SHOPIFY_API_VERSION}/graphql.json`, JSON.stringify({ query, variables }), {
      'x-shopify-access-token': accessToken,
    });
    if (reply.status === 401 || reply.status === 403) {
      throw new ShopifyCallError(`Shopify refused the access token (HTTP ${reply.status}); reconnect the store`, false, reply.status);
    }
    if (reply.status === 429 || reply.status >= 500) {
      if (attempt >= attempts) throw new ShopifyCallError(`Shopify answered HTTP ${reply.status}`, true, reply.status);
      await sleep(1000 * 2 ** (attempt - 1));
      continue;
    }
    if (reply.status !== 200) throw new ShopifyCallError(`Shopify answered HTTP ${reply.status}`, false, reply.status);
    let parsed: Record<string, Json>;
    try {
      parsed = obj(parseLosslessJson(reply.body));
    } catch {
      throw new ShopifyCallError('Shopify answered with a body that is not JSON', true, reply.status);
    }
    const errors = Array.isArray(parsed.errors) ? parsed.errors.map(obj) : [];
    if (errors.some((e) => obj(e.extensions).code === 'THROTTLED')) {
      if (attempt >= attempts) throw new ShopifyCallError('Shopify kept throttling the request (GraphQL cost limit)', true, reply.status);
      await sleep(throttleWaitMs(obj(parsed.extensions), attempt));
      continue;
    }
    if (errors.length > 0) {
      throw new ShopifyCallError(`Shopify GraphQL error: ${errors.map((e) => (typeof e.message === 'string' ? e.message : 'unknown')).join('; ')}`, false, reply.status);
    }
    return obj(parsed.data);
  }
}

/** How long the cost bucket needs to hold the requested cost again. */
export function throttleWaitMs(extensions: Record<string, Json>, attempt: number): number {
  const cost = obj(extensions.cost);
  const status = obj(cost.throttleStatus);
  const requested = Number(cost.requestedQueryCost);
  const available = Number(status.currentlyAvailable);
  const rate = Number(status.restoreRate);
  if ([requested, available, rate].every(Number.isFinite) && rate > 0) {
    return Math.min(60_000, Math.max(100, Math.ceil(((requested - available) / rate) * 1000)));
  }
  return Math.min(60_000, 1000 * 2 ** (attempt - 1));
}
