import { OutboundError, outboundRequest } from '../../core/outbound-http.js';
import type { Consent, MarketingTool } from './marketing.tables.js';

/** Where a tool is called, with which key; `allowPrivate` only for a base URL the operator set. */
export interface ToolTarget {
  baseUrl: string;
  apiKey: string;
  allowPrivate: boolean;
}

export type ToolErrorKind = 'rate_limited' | 'retryable' | 'rejected' | 'auth';

/** A failed call to a tool, classified for the sync: retry later, wait as asked, or record the failure. */
export class ToolError extends Error {
  constructor(
    readonly kind: ToolErrorKind,
    message: string,
    readonly status: number | null = null,
    /** How long the tool asked to wait (`Retry-After`), for `rate_limited`. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ToolError';
  }
}

export interface ToolReply {
  status: number;
  json: unknown;
}

/** Waiting time when a tool answers 429 without `Retry-After`. */
export const DEFAULT_RETRY_AFTER_MS = 10_000;
const TIMEOUT_MS = 15_000;

const EMAIL = /[^\s"'<>@]+@[^\s"'<>@]+\.[^\s"'<>@]+/g;

/** An error text fit to store and show: no email addresses, one line, at most 300 characters. */
export function cleanMessage(text: string): string {
  return text.replace(EMAIL, '[email]').replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * One JSON call to a tool through the guarded outbound client. Resolves with 2xx answers;
 * throws ToolError otherwise: 429 → `rate_limited` (with Retry-After), 5xx, timeouts and
 * network failures → `retryable`, 401/403 → `auth`, other answers → `rejected` with the
 * tool's own explanation (`describe` reads it from the body).
 */
export async function callTool(
  label: string,
  target: ToolTarget,
  req: { method: 'GET' | 'POST' | 'PATCH' | 'DELETE'; path: string; headers: Record<string, string>; body?: unknown },
  describe: (json: unknown) => string | null,
): Promise<ToolReply> {
  const base = target.baseUrl.replace(/\/+$/, '');
  let res;
  try {
    res = await outboundRequest({
      url: `${base}${req.path}`,
      method: req.method,
      headers: req.headers,
      ...(req.body !== undefined ? { body: JSON.stringify(req.body) } : {}),
      allowPrivate: target.allowPrivate,
      timeoutMs: TIMEOUT_MS,
    });
  } catch (err) {
    if (err instanceof OutboundError) throw new ToolError(err.retryable ? 'retryable' : 'rejected', cleanMessage(`${label}: ${err.message}`));
    throw err;
  }
  let json: unknown = null;
  if (res.body.trim() !== '') {
    try {
      json = JSON.parse(res.body);
    } catch {
      json = null;
    }
  }
  if (res.status >= 200 && res.status < 300) return { status: res.status, json };
  const detail = describe(json);
  const what = `${label} answered HTTP ${res.status}${detail ? `: ${detail}` : ''}`;
  if (res.status === 429) throw new ToolError('rate_limited', cleanMessage(what), 429, res.retryAfterMs ?? DEFAULT_RETRY_AFTER_MS);
  if (res.status >= 500 || res.status === 408) throw new ToolError('retryable', cleanMessage(what), res.status, res.retryAfterMs);
  if (res.status === 401 || res.status === 403) throw new ToolError('auth', cleanMessage(`${what} (check the API key and its scopes)`), res.status);
  throw new ToolError('rejected', cleanMessage(what), res.status);
}

/** The loyalty fields Patron keeps on a customer's profile in every tool (same names everywhere). */
export interface LoyaltyProperties {
  patron_points_balance: number;
  patron_points_pending: number;
  patron_tier: string | null;
  patron_tier_progress: string | null;
  patron_membership: 'member' | 'guest' | 'left';
  patron_referral_link: string | null;
  patron_points_expiring: number;
  patron_points_expiring_at: string | null;
  patron_last_reward_code: string | null;
}

/** A customer as sent to a tool. */
export interface LoyaltyProfile {
  customerId: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  properties: LoyaltyProperties;
}

/** A loyalty event as sent to a tool: its outbox id (for deduplication), name and properties. */
export interface LoyaltyEvent {
  id: string;
  name: string;
  occurredAt: Date;
  properties: Record<string, unknown>;
}

export interface ProfileResult {
  /** The tool's id of the profile or contact, when it says. */
  remoteId: string | null;
  /** Email marketing consent as the tool holds it, when it could be read. */
  consent: Consent | null;
}

export interface BulkJobStatus {
  status: 'queued' | 'processing' | 'complete' | 'cancelled';
  total: number;
  completed: number;
  failed: number;
}

/**
 * A marketing tool. Adding one is a file implementing this and a line in `PROVIDERS`
 * (marketing.providers.ts); the sync, the API, the settings page and the status card are
 * shared.
 */
export interface MarketingProvider {
  readonly tool: MarketingTool;
  readonly label: string;
  readonly defaultBaseUrl: string;
  /** What the settings page says about the key (where to create it, which scopes). */
  readonly keyHelp: string;
  /** Checks the key with a cheap read; resolves with a sentence naming the account when known. */
  testConnection(target: ToolTarget): Promise<string>;
  /** Creates or updates the customer's profile and reads the email consent back. */
  upsertProfile(target: ToolTarget, profile: LoyaltyProfile, remoteId: string | null): Promise<ProfileResult>;
  sendEvent(target: ToolTarget, profile: LoyaltyProfile, event: LoyaltyEvent): Promise<void>;
  /** Deletes (or, where the API cannot delete, suppresses) an anonymized customer; resolves with what was done. */
  erase(target: ToolTarget, customer: { customerId: string; remoteId: string | null }): Promise<string>;
  /** Bulk import for the first sync, when the tool has one. */
  readonly bulk?: {
    readonly maxProfiles: number;
    readonly maxBytes: number;
    start(target: ToolTarget, profiles: LoyaltyProfile[]): Promise<string>;
    status(target: ToolTarget, jobId: string): Promise<BulkJobStatus>;
  };
}
