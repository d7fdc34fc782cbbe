import type { AppContext } from '../../context.js';
import { OutboundError, outboundRequest } from '../../core/outbound-http.js';
import type { ServiceAccount } from './wallet.google.jwt.js';
import { GoogleError, googleTokens } from './wallet.google.tokens.js';

/**
 * Calls to the Google Wallet REST API (`/walletobjects/v1/...` under PATRON_GOOGLE_WALLET_URL)
 * as the organization's service account. Answers 2xx as parsed JSON; throws GoogleError with
 * Google's own explanation otherwise. A 401 drops the cached token and is tried once more.
 */

const TIMEOUT_MS = 15_000;

export interface GoogleReply {
  status: number;
  json: Record<string, unknown>;
}

/** Google's error answer `{ error: { code, message, status } }` as one line. */
function describe(body: string): string | null {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown; status?: unknown } | string };
    if (typeof j.error === 'string') return j.error.slice(0, 300);
    const m = typeof j.error?.message === 'string' ? j.error.message : null;
    const s = typeof j.error?.status === 'string' ? j.error.status : null;
    if (!m && !s) return null;
    return [s, m].filter(Boolean).join(': ').replace(/\s+/g, ' ').slice(0, 300);
  } catch {
    return null;
  }
}

export async function googleCall(
  ctx: AppContext,
  account: ServiceAccount,
  req: { method: 'GET' | 'POST' | 'PUT' | 'PATCH'; path: string; body?: unknown },
): Promise<GoogleReply> {
  const tokens = googleTokens(ctx);
  const url = `${ctx.config.googleWalletUrl.replace(/\/+$/, '')}/walletobjects/v1${req.path}`;
  for (let attempt = 0; ; attempt++) {
    const token = await tokens.accessToken(ctx, account);
    let res;
    try {
      // The base URL comes from the operator's configuration, never from a merchant.
      res = await outboundRequest({
        url,
        method: req.method,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
        allowPrivate: true,
        timeoutMs: TIMEOUT_MS,
      });
    } catch (err) {
      if (err instanceof OutboundError) throw new GoogleError(`Google Wallet API: ${err.message}`, null, err.retryable);
      throw err;
    }
    if (res.status === 401 && attempt === 0) {
      tokens.forget(account);
      continue;
    }
    if (res.status >= 200 && res.status < 300) {
      let json: unknown = {};
      try {
        json = res.body.trim() === '' ? {} : JSON.parse(res.body);
      } catch {
        json = {};
      }
      return { status: res.status, json: json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : {} };
    }
    const detail = describe(res.body);
    const hint =
      res.status === 401 || res.status === 403
        ? ' (check that the service account was added as a user of the issuer account in the Google Pay & Wallet Console)'
        : '';
    const retryable = res.status >= 500 || res.status === 429 || res.status === 408;
    throw new GoogleError(`Google Wallet API answered HTTP ${res.status} to ${req.method} ${req.path.split('/').slice(0, 2).join('/')}${detail ? `: ${detail}` : ''}${hint}`, res.status, retryable);
  }
}
