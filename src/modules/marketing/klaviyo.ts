import { callTool, ToolError, type BulkJobStatus, type LoyaltyProfile, type MarketingProvider, type ProfileResult, type ToolTarget } from './marketing.http.js';
import type { Consent } from './marketing.tables.js';

/** The API revision Patron speaks (the `revision` header every call carries). */
export const KLAVIYO_REVISION = '2026-10-15';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

function headers(target: ToolTarget): Record<string, string> {
  return {
    authorization: `Klaviyo-API-Key ${target.apiKey}`,
    revision: KLAVIYO_REVISION,
    accept: 'application/vnd.api+json',
    'content-type': 'application/vnd.api+json',
  };
}

/** Klaviyo's JSON:API errors: `{ errors: [{ code, title, detail, source }] }`. */
function describe(json: unknown): string | null {
  const errors = obj(json).errors;
  if (!Array.isArray(errors) || errors.length === 0) return null;
  return errors
    .map(obj)
    .map((e) => [e.detail, e.title, e.code].find((x): x is string => typeof x === 'string' && x !== '') ?? 'error')
    .join('; ');
}

const call = (target: ToolTarget, method: 'GET' | 'POST', path: string, body?: unknown) =>
  callTool('Klaviyo', target, { method, path, headers: headers(target), ...(body !== undefined ? { body } : {}) }, describe);

/** A phone number Klaviyo accepts (E.164), or null: another format is left out rather than refused. */
export function e164(phone: string | null): string | null {
  if (!phone) return null;
  const digits = phone.replace(/[\s().\-/]/g, '');
  return /^\+[1-9]\d{6,14}$/.test(digits) ? digits : null;
}

/**
 * The profile's attributes. Identity fields Patron does not know are left out (another
 * source may have set them); the loyalty properties are Patron's, so an absent value is
 * sent as null, which clears it in Klaviyo.
 */
function attributes(p: LoyaltyProfile, forBulk: boolean): Obj {
  const phone = e164(p.phone);
  const properties: Obj = {};
  for (const [k, v] of Object.entries(p.properties)) {
    // Bulk import cannot clear a field with null: leave those out there.
    if (v !== null || !forBulk) properties[k] = v;
  }
  return {
    email: p.email,
    external_id: p.customerId,
    ...(p.firstName ? { first_name: p.firstName } : {}),
    ...(p.lastName ? { last_name: p.lastName } : {}),
    ...(phone ? { phone_number: phone } : {}),
    properties,
  };
}

const CONSENT: Record<string, Consent> = { SUBSCRIBED: 'subscribed', UNSUBSCRIBED: 'unsubscribed', NEVER_SUBSCRIBED: 'never_subscribed' };

/** `subscriptions.email.marketing.consent` of a profile resource, when present. */
export function consentOf(resource: Obj): Consent | null {
  const marketing = obj(obj(obj(obj(resource.attributes).subscriptions).email).marketing);
  return typeof marketing.consent === 'string' ? (CONSENT[marketing.consent] ?? null) : null;
}

function bulkStatus(json: unknown): BulkJobStatus {
  const a = obj(obj(obj(json).data).attributes);
  const status = a.status;
  if (status !== 'queued' && status !== 'processing' && status !== 'complete' && status !== 'cancelled') {
    throw new ToolError('retryable', `Klaviyo answered a bulk import job without a known status (${String(status)})`);
  }
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
  return { status, total: n(a.total_count), completed: n(a.completed_count), failed: n(a.failed_count) };
}

export const klaviyoProvider: MarketingProvider = {
  tool: 'klaviyo',
  label: 'Klaviyo',
  defaultBaseUrl: 'https://a.klaviyo.com',
  keyHelp: 'A private API key (pk_...) from Klaviyo: Settings > API keys, with the scopes accounts:read, profiles:read, profiles:write, lists:write, events:write and data-privacy:write.',

  async testConnection(target) {
    const reply = await call(target, 'GET', '/api/accounts');
    const account = obj(Array.isArray(obj(reply.json).data) ? (obj(reply.json).data as unknown[])[0] : null);
    const name = obj(obj(account.attributes).contact_information).organization_name;
    return typeof name === 'string' && name ? `Connected to the Klaviyo account "${name}"` : 'Connected to Klaviyo';
  },

  async upsertProfile(target, profile): Promise<ProfileResult> {
    // 201: created, 200: updated; the subscriptions are asked back in the same call.
    const reply = await call(target, 'POST', '/api/profile-import?additional-fields%5Bprofile%5D=subscriptions', {
      data: { type: 'profile', attributes: attributes(profile, false) },
    });
    const data = obj(obj(reply.json).data);
    return { remoteId: typeof data.id === 'string' ? data.id : null, consent: consentOf(data) };
  },

  async sendEvent(target, profile, event) {
    await call(target, 'POST', '/api/events', {
      data: {
        type: 'event',
        attributes: {
          properties: event.properties,
          time: event.occurredAt.toISOString(),
          unique_id: event.id,
          metric: { data: { type: 'metric', attributes: { name: event.name } } },
          profile: { data: { type: 'profile', attributes: { email: profile.email, external_id: profile.customerId } } },
        },
      },
    });
  },

  async erase(target, customer) {
    let id = customer.remoteId;
    if (!id) {
      const filter = encodeURIComponent(`equals(external_id,"${customer.customerId}")`);
      const found = await call(target, 'GET', `/api/profiles?filter=${filter}`);
      const list = obj(found.json).data;
      const first = Array.isArray(list) ? obj(list[0]) : {};
      id = typeof first.id === 'string' ? first.id : null;
    }
    if (!id) return 'No Klaviyo profile carries this customer; nothing to delete';
    await call(target, 'POST', '/api/data-privacy-deletion-jobs', {
      data: { type: 'data-privacy-deletion-job', attributes: { profile: { data: { type: 'profile', id } } } },
    });
    return 'Deletion of the Klaviyo profile requested (data privacy deletion job)';
  },

  bulk: {
    maxProfiles: 10_000,
    // Klaviyo takes up to 5 MB per job; stay under it with room for the envelope.
    maxBytes: 4_500_000,
    async start(target, profiles) {
      const reply = await call(target, 'POST', '/api/profile-bulk-import-jobs', {
        data: {
          type: 'profile-bulk-import-job',
          attributes: { profiles: { data: profiles.map((p) => ({ type: 'profile', attributes: attributes(p, true) })) } },
        },
      });
      const id = obj(obj(reply.json).data).id;
      if (typeof id !== 'string' || !id) throw new ToolError('retryable', 'Klaviyo accepted the bulk import without a job id');
      return id;
    },
    async status(target, jobId) {
      return bulkStatus((await call(target, 'GET', `/api/profile-bulk-import-jobs/${encodeURIComponent(jobId)}`)).json);
    },
  },
};
