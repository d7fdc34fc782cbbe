import { callTool, ToolError, type LoyaltyProfile, type LoyaltyProperties, type MarketingProvider, type ProfileResult, type ToolTarget } from './marketing.http.js';
import type { Consent } from './marketing.tables.js';

/** The dated API version Patron speaks (the `Omnisend-Version` header every call carries). */
export const OMNISEND_VERSION = '2026-03-15';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

function headers(target: ToolTarget): Record<string, string> {
  return {
    authorization: `Omnisend-API-Key ${target.apiKey}`,
    'omnisend-version': OMNISEND_VERSION,
    accept: 'application/json',
    'content-type': 'application/json',
  };
}

/** Omnisend's errors are Problem Details: `{ type, title, status, detail, errors[] }`. */
function describe(json: unknown): string | null {
  const p = obj(json);
  const first: unknown = [p.detail, p.title, p.error, p.message].find((x) => typeof x === 'string' && x !== '');
  const parts: string[] = typeof first === 'string' ? [first] : [];
  if (Array.isArray(p.errors)) {
    for (const e of p.errors.map(obj)) {
      const text = [e.field ?? e.pointer, e.message ?? e.detail].filter((x) => typeof x === 'string').join(': ');
      if (text) parts.push(text);
    }
  }
  return parts.length > 0 ? parts.join('; ') : null;
}

const call = (target: ToolTarget, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown) =>
  callTool('Omnisend', target, { method, path, headers: headers(target), ...(body !== undefined ? { body } : {}) }, describe);

/** Custom properties take strings, numbers, booleans and lists, never null: an absent text is "". */
export function customProperties(p: LoyaltyProperties): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(p) as [string, string | number | null][]) out[k] = v ?? '';
  return out;
}

const CONSENT: Record<string, Consent> = { subscribed: 'subscribed', unsubscribed: 'unsubscribed', nonSubscribed: 'never_subscribed' };

/** The email channel's status on a contact, as Patron's consent. */
export function emailConsentOf(contact: Obj, email: string): Consent | null {
  const identifiers = Array.isArray(contact.identifiers) ? contact.identifiers.map(obj) : [];
  const match =
    identifiers.find((i) => i.type === 'email' && typeof i.id === 'string' && i.id.toLowerCase() === email.toLowerCase()) ?? identifiers.find((i) => i.type === 'email');
  const status = obj(obj(match?.channels).email).status;
  return typeof status === 'string' ? (CONSENT[status] ?? null) : null;
}

export const omnisendProvider: MarketingProvider = {
  tool: 'omnisend',
  label: 'Omnisend',
  defaultBaseUrl: 'https://api.omnisend.com/api',
  keyHelp: 'An API key from Omnisend: Store settings > API keys, with access to contacts (read and write) and events (write).',

  async testConnection(target) {
    await call(target, 'GET', '/contacts?limit=1');
    return 'Connected to Omnisend';
  },

  async upsertProfile(target, profile: LoyaltyProfile): Promise<ProfileResult> {
    // Create or update by email (201 created, 200 updated). No channel status is sent: consent is the merchant's, only read back.
    const reply = await call(target, 'POST', '/contacts', {
      identifiers: [{ type: 'email', id: profile.email }],
      ...(profile.firstName ? { firstName: profile.firstName } : {}),
      ...(profile.lastName ? { lastName: profile.lastName } : {}),
      customProperties: customProperties(profile.properties),
    });
    const body = obj(reply.json);
    const id = body.contactID ?? body.contactId ?? body.id;
    const remoteId = typeof id === 'string' && id ? id : null;
    if (!remoteId) return { remoteId: null, consent: emailConsentOf(body, profile.email) };
    const contact = await call(target, 'GET', `/contacts/${encodeURIComponent(remoteId)}`);
    return { remoteId, consent: emailConsentOf(obj(contact.json), profile.email) };
  },

  async sendEvent(target, profile, event) {
    await call(target, 'POST', '/events', {
      eventName: event.name,
      eventID: event.id,
      eventTime: event.occurredAt.toISOString(),
      origin: 'api',
      contact: { email: profile.email },
      properties: event.properties,
    });
  },

  async erase(target, customer) {
    if (!customer.remoteId) return 'No Omnisend contact was created for this customer; nothing to remove';
    // The public API has no contact deletion: the loyalty data is removed from the contact, which the merchant deletes in Omnisend.
    const blank: LoyaltyProperties = {
      patron_points_balance: 0,
      patron_points_pending: 0,
      patron_tier: null,
      patron_tier_progress: null,
      patron_membership: 'left',
      patron_referral_link: null,
      patron_points_expiring: 0,
      patron_points_expiring_at: null,
      patron_last_reward_code: null,
    };
    try {
      await call(target, 'PATCH', `/contacts/${encodeURIComponent(customer.remoteId)}`, { customProperties: customProperties(blank) });
    } catch (err) {
      if (err instanceof ToolError && err.status === 404) return 'The Omnisend contact no longer exists; nothing to remove';
      throw err;
    }
    return 'Loyalty properties removed from the Omnisend contact (Omnisend has no contact deletion API: delete the contact in Omnisend to erase it there)';
  },
};
