import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
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

/** Addresses Patron never calls unless the operator set the API URL themself. */
const PRIVATE_V4 = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  PRIVATE_V4.addSubnet(net, bits, 'ipv4');
}
// Kept apart from the IPv4 list: a BlockList matches IPv4 addresses against IPv4-mapped IPv6 ranges.
const PRIVATE_V6 = new BlockList();
for (const [net, bits] of [
  ['::', 127],
  ['64:ff9b::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE_V6.addSubnet(net, bits, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return PRIVATE_V4.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return PRIVATE_V4.check(mapped[1]!, 'ipv4');
  if (/^::ffff:/i.test(address)) return true;
  return PRIVATE_V6.check(address, 'ipv6');
}

/** A DNS lookup that refuses private, loopback and link-local answers (checked on the address actually used). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const allowed = addresses.filter((a) => !isPrivateAddress(a.address));
    if (allowed.length === 0) {
      const refused = Object.assign(new Error(`${hostname} resolves only to private addresses; Patron does not call those`), { code: 'EPRIVATEADDRESS' });
      return callback(refused, '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
    return callback(null, allowed[0]!.address, allowed[0]!.family);
  });
};

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

const TIMEOUT_MS = 15_000;

/** One HTTP POST; never follows redirects; the body text is returned whatever the status. */
export function postOutbound(target: ShopifyTarget, path: string, body: string, headers: Record<string, string>): Promise<HttpReply> {
  const url = new URL(path, target.apiUrl.endsWith('/') ? target.apiUrl : `${target.apiUrl}/`);
  if (url.protocol !== 'https:' && !(target.trustedUrl && url.protocol === 'http:')) {
    return Promise.reject(new ShopifyCallError(`Refusing to call ${url.protocol}// URLs; Shopify is called over https`, false));
  }
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
        timeout: TIMEOUT_MS,
        ...(target.trustedUrl ? {} : { lookup: publicOnlyLookup }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > 10 * 1024 * 1024) {
            req.destroy(new ShopifyCallError('Shopify answered more than 10 MB', false));
            return;
          }
          chunks.push(c);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (err) => reject(new ShopifyCallError(`Shopify connection failed: ${err.message}`, true)));
      },
    );
    req.on('timeout', () => req.destroy(new ShopifyCallError(`Shopify did not answer within ${TIMEOUT_MS / 1000} s`, true)));
    req.on('error', (err) => {
      if (err instanceof ShopifyCallError) return reject(err);
      const code = (err as { code?: string }).code;
      reject(new ShopifyCallError(`Could not reach ${url.host}: ${err.message}`, code !== 'EPRIVATEADDRESS'));
    });
    req.end(body);
  });
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
