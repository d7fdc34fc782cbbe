import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Customer tokens and Shopify App Proxy signatures, checked with node:crypto only.
 *
 * A customer token is a compact JWS (JWT) signed by the store's backend with the
 * organization's storefront secret: header `{"alg":"HS256","typ":"JWT"}`, claims `sub` (the
 * customer's externalId), `exp` (seconds, at most one hour ahead), optional `email`,
 * `firstName`, `lastName` (used when the customer is first seen).
 */

/** The longest a token may live: its `exp` at most this far ahead of now. */
export const MAX_TOKEN_LIFETIME_S = 3600;
/** Clock difference tolerated between the store's server and Patron. */
export const CLOCK_SKEW_S = 60;

export interface CustomerClaims {
  sub: string;
  exp: number;
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  /** Set only on preview tokens the admin issues: the view shown, and no changes allowed. */
  preview?: 'member' | 'guest' | 'left' | undefined;
}

export type TokenResult = { ok: true; claims: CustomerClaims } | { ok: false; code: 'TOKEN_INVALID' | 'TOKEN_EXPIRED'; reason: string };

const b64url = (buf: Buffer): string => buf.toString('base64url');

function decodeJson(part: string): unknown {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const optionalText = (v: unknown, max: number): v is string | undefined => v === undefined || (typeof v === 'string' && v.length <= max);

/** Signs claims as an HS256 JWT (used for admin previews and by the tests; stores sign their own). */
export function signCustomerToken(claims: Record<string, unknown>, secret: string): string {
  const header = b64url(Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })));
  const payload = b64url(Buffer.from(JSON.stringify(claims)));
  const sig = b64url(createHmac('sha256', secret).update(`${header}.${payload}`).digest());
  return `${header}.${payload}.${sig}`;
}

/**
 * Verifies a customer token: exactly three parts, header `alg` HS256 (`none` and every other
 * algorithm refused), the HMAC compared in constant time, then `exp` (required, not past,
 * at most an hour ahead) and the claim types. `nowS` is Unix seconds.
 */
export function verifyCustomerToken(token: string, secret: string, nowS: number): TokenResult {
  const invalid = (reason: string): TokenResult => ({ ok: false, code: 'TOKEN_INVALID', reason });
  if (token.length > 4096) return invalid('the token is longer than 4096 characters');
  const parts = token.split('.');
  if (parts.length !== 3) return invalid('a token has three dot-separated parts (header.payload.signature)');
  const [h, p, s] = parts as [string, string, string];
  const header = decodeJson(h);
  if (!isObject(header)) return invalid('the token header is not base64url JSON');
  if (header.alg !== 'HS256') return invalid(`the token must be signed with HS256 (its header says alg ${JSON.stringify(header.alg ?? null)})`);
  if (header.typ !== undefined && header.typ !== 'JWT') return invalid('the token header typ must be "JWT" when present');
  if (header.crit !== undefined) return invalid('the token header must not carry crit extensions');
  if (!/^[A-Za-z0-9_-]{43}$/.test(s)) return invalid('the token signature is not an HS256 signature');
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return invalid("the token signature does not match this organization's storefront secret");
  }
  const c = decodeJson(p);
  if (!isObject(c)) return invalid('the token payload is not base64url JSON');
  if (typeof c.sub !== 'string' || c.sub.length === 0 || c.sub.length > 100) return invalid('sub must be the customer externalId, a string of 1-100 characters');
  if (typeof c.exp !== 'number' || !Number.isInteger(c.exp)) return invalid('exp is required: the expiry in Unix seconds, at most one hour ahead');
  if (c.exp <= nowS - CLOCK_SKEW_S) return { ok: false, code: 'TOKEN_EXPIRED', reason: `the token expired at ${new Date(c.exp * 1000).toISOString()}; issue a new one` };
  if (c.exp > nowS + MAX_TOKEN_LIFETIME_S + CLOCK_SKEW_S) return invalid('exp is more than one hour ahead; tokens must be short-lived (exp at most now + 3600)');
  if (c.nbf !== undefined && (typeof c.nbf !== 'number' || c.nbf > nowS + CLOCK_SKEW_S)) return invalid('the token is not valid yet (nbf)');
  if (!optionalText(c.email, 254) || (typeof c.email === 'string' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(c.email))) return invalid('email must be an email address');
  if (!optionalText(c.firstName, 100)) return invalid('firstName must be a string of at most 100 characters');
  if (!optionalText(c.lastName, 100)) return invalid('lastName must be a string of at most 100 characters');
  if (c.preview !== undefined && c.preview !== 'member' && c.preview !== 'guest' && c.preview !== 'left') return invalid('preview must be member, guest or left');
  return {
    ok: true,
    claims: {
      sub: c.sub,
      exp: c.exp,
      email: c.email,
      firstName: c.firstName,
      lastName: c.lastName,
      preview: c.preview,
    },
  };
}

/**
 * The message Shopify signs for an App Proxy request: every query parameter except
 * `signature`, as `key=value` (repeated keys' values joined with ","), sorted, concatenated
 * with no separator. `query` is the raw query string (without "?").
 */
export function appProxyMessage(query: string): string {
  const values = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(query)) {
    if (k === 'signature') continue;
    const list = values.get(k) ?? [];
    list.push(v);
    values.set(k, list);
  }
  return [...values.entries()]
    .map(([k, v]) => `${k}=${v.join(',')}`)
    .sort()
    .join('');
}

/** Whether `signature` (hex HMAC-SHA256 with the app's client secret) matches, in constant time. */
export function verifyAppProxySignature(query: string, secret: string): boolean {
  const signature = new URLSearchParams(query).get('signature');
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(appProxyMessage(query)).digest();
  return timingSafeEqual(Buffer.from(signature, 'hex'), expected);
}
