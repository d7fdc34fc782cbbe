import { createHash } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { OutboundError, outboundRequest } from '../../core/outbound-http.js';
import { signJwt, type ServiceAccount } from './wallet.google.jwt.js';

/**
 * Access tokens for the Google Wallet API: the OAuth 2.0 service-account flow (RFC 7523 JWT
 * bearer grant). Patron signs an assertion with the service account's key, posts it to the
 * token endpoint (PATRON_GOOGLE_TOKEN_URL, Google's by default) and keeps the access token
 * until a minute before it expires. Tokens and keys are never logged nor put in errors.
 */

export const WALLET_SCOPE = 'https://www.googleapis.com/auth/wallet_object.issuer';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Lifetime asked for the assertion (Google accepts at most one hour). */
const ASSERTION_SECONDS = 3600;
/** A cached token is renewed this long before it expires. */
const RENEW_BEFORE_MS = 60_000;
const TIMEOUT_MS = 15_000;

/** A failed call to Google (token endpoint or Wallet API), with whether trying again later may help. */
export class GoogleError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'GoogleError';
  }
}

/** Gives the bearer token for calls made as a service account; `forget` drops a token Google refused. */
export interface GoogleTokenProvider {
  accessToken(ctx: AppContext, account: ServiceAccount): Promise<string>;
  forget(account: ServiceAccount): void;
}

interface Cached {
  token: string;
  expiresAt: number;
}

/** The service-account flow against `ctx.config.googleTokenUrl`, with an in-process cache per endpoint, account and key. */
export function serviceAccountTokenProvider(): GoogleTokenProvider {
  const cache = new Map<string, Cached>();
  const pending = new Map<string, Promise<Cached>>();
  const accountHash = (a: ServiceAccount) => createHash('sha256').update(`${a.clientEmail}\n${a.privateKeyPem}`).digest('hex');
  return {
    async accessToken(ctx, account) {
      const url = ctx.config.googleTokenUrl;
      const key = `${url} ${accountHash(account)}`;
      const hit = cache.get(key);
      if (hit && hit.expiresAt - RENEW_BEFORE_MS > ctx.clock.now().getTime()) return hit.token;
      let p = pending.get(key);
      if (!p) {
        p = requestToken(ctx, url, account).finally(() => pending.delete(key));
        pending.set(key, p);
      }
      const fresh = await p;
      cache.set(key, fresh);
      return fresh.token;
    },
    forget(account) {
      const suffix = ` ${accountHash(account)}`;
      for (const k of [...cache.keys()]) if (k.endsWith(suffix)) cache.delete(k);
    },
  };
}

/** What an OAuth error answer says ("invalid_grant: Invalid JWT Signature."), or null. */
function oauthError(body: string): string | null {
  try {
    const j = JSON.parse(body) as { error?: unknown; error_description?: unknown };
    const code = typeof j.error === 'string' ? j.error : null;
    const text = typeof j.error_description === 'string' ? j.error_description : null;
    if (!code && !text) return null;
    return [code, text].filter(Boolean).join(': ').slice(0, 300);
  } catch {
    return null;
  }
}

async function requestToken(ctx: AppContext, url: string, account: ServiceAccount): Promise<Cached> {
  const issuedAt = Math.floor(ctx.clock.now().getTime() / 1000);
  const assertion = signJwt({ iss: account.clientEmail, scope: WALLET_SCOPE, aud: url, iat: issuedAt, exp: issuedAt + ASSERTION_SECONDS }, account.privateKeyPem);
  const body = new URLSearchParams({ grant_type: JWT_BEARER, assertion }).toString();
  let res;
  try {
    // The endpoint comes from the operator's configuration, never from a merchant.
    res = await outboundRequest({ url, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, allowPrivate: true, timeoutMs: TIMEOUT_MS });
  } catch (err) {
    if (err instanceof OutboundError) throw new GoogleError(`Could not get a Google access token: ${err.message}`, null, err.retryable);
    throw err;
  }
  if (res.status !== 200) {
    const why = oauthError(res.body);
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    const hint = res.status === 400 || res.status === 401 ? ' (check that the service account and its key still exist; download a new key and configure again)' : '';
    throw new GoogleError(`Google's token endpoint refused the service account ${account.clientEmail}: HTTP ${res.status}${why ? ` ${why}` : ''}${hint}`, res.status, retryable);
  }
  let json: { access_token?: unknown; expires_in?: unknown };
  try {
    json = JSON.parse(res.body) as typeof json;
  } catch {
    throw new GoogleError("Google's token endpoint answered something that is not JSON", res.status, true);
  }
  if (typeof json.access_token !== 'string' || json.access_token === '') throw new GoogleError("Google's token endpoint answered without an access token", res.status, true);
  const seconds = typeof json.expires_in === 'number' && json.expires_in > 0 ? json.expires_in : 3600;
  return { token: json.access_token, expiresAt: ctx.clock.now().getTime() + seconds * 1000 };
}

const DEFAULT_PROVIDER = serviceAccountTokenProvider();
const overrides = new WeakMap<AppContext, GoogleTokenProvider>();

/** The token provider of a context: the service-account flow unless a test put another one. */
export function googleTokens(ctx: AppContext): GoogleTokenProvider {
  return overrides.get(ctx) ?? DEFAULT_PROVIDER;
}

/** Replaces the token provider of one context (tests); null puts the service-account flow back. */
export function useGoogleTokenProvider(ctx: AppContext, provider: GoogleTokenProvider | null): void {
  if (provider) overrides.set(ctx, provider);
  else overrides.delete(ctx);
}
