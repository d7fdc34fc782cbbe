import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Local stand-ins for Klaviyo and Omnisend, speaking the documented protocols closely enough
 * to check what Patron sends: each checks the authentication and version headers, records
 * every request, and answers like the tool (JSON:API for Klaviyo, Problem Details for
 * Omnisend). Replies can be scripted per path (`script`): a 429 with Retry-After, a 400.
 */
export interface Recorded {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  raw: string;
  at: number;
}

export interface ScriptedReply {
  status: number;
  body?: unknown;
  retryAfter?: string;
}

abstract class FakeTool {
  readonly requests: Recorded[] = [];
  /** Replies given instead of the normal answer, per "METHOD /path" (first in, first out). */
  readonly scripted = new Map<string, ScriptedReply[]>();
  apiKey: string;
  private server: Server | null = null;

  constructor(apiKey: string) {
    this.apiKey = apiKey;
  }

  get origin(): string {
    const address = this.server?.address() as AddressInfo | null;
    if (!address) throw new Error('the fake is not listening');
    return `http://127.0.0.1:${address.port}`;
  }

  abstract get baseUrl(): string;

  script(route: string, ...replies: ScriptedReply[]): void {
    this.scripted.set(route, [...(this.scripted.get(route) ?? []), ...replies]);
  }

  calls(method: string, path: string): Recorded[] {
    return this.requests.filter((r) => r.method === method && r.path === path);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const url = new URL(req.url ?? '/', 'http://fake');
        let body: unknown = null;
        try {
          body = raw ? JSON.parse(raw) : null;
        } catch {
          body = raw;
        }
        const rec: Recorded = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, body, raw, at: Date.now() };
        this.requests.push(rec);
        const denied = this.checkHeaders(rec);
        if (denied) return send(res, denied);
        const queue = this.scripted.get(`${rec.method} ${rec.path}`);
        const next = queue?.shift();
        if (next) return send(res, next);
        send(res, this.answer(rec));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  protected abstract checkHeaders(r: Recorded): ScriptedReply | null;
  protected abstract answer(r: Recorded): ScriptedReply;
}

function send(res: ServerResponse, reply: ScriptedReply): void {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (reply.retryAfter !== undefined) headers['retry-after'] = reply.retryAfter;
  res.writeHead(reply.status, headers);
  res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

export interface KlaviyoProfile {
  id: string;
  attributes: Obj;
}

export class FakeKlaviyo extends FakeTool {
  readonly profiles = new Map<string, KlaviyoProfile>();
  /** Email marketing consent per email (NEVER_SUBSCRIBED when absent). */
  readonly consent = new Map<string, 'SUBSCRIBED' | 'UNSUBSCRIBED' | 'NEVER_SUBSCRIBED'>();
  readonly bulkJobs = new Map<string, { profiles: Obj[]; polls: number; failed: number }>();
  private seq = 1;

  get baseUrl(): string {
    return this.origin;
  }

  static errors(status: number, detail: string, pointer = '/data'): ScriptedReply {
    return { status, body: { errors: [{ id: 'e1', status, code: 'invalid', title: 'Invalid input.', detail, source: { pointer } }] } };
  }

  protected checkHeaders(r: Recorded): ScriptedReply | null {
    if (r.headers.authorization !== `Klaviyo-API-Key ${this.apiKey}`) return FakeKlaviyo.errors(401, 'Missing or invalid private key.');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(String(r.headers.revision ?? ''))) return FakeKlaviyo.errors(400, 'The revision header is required.');
    if (r.method !== 'GET' && !String(r.headers['content-type'] ?? '').startsWith('application/vnd.api+json')) return FakeKlaviyo.errors(415, 'Unsupported content type.');
    return null;
  }

  private upsert(attributes: Obj): { profile: KlaviyoProfile; created: boolean } {
    const email = typeof attributes.email === 'string' ? attributes.email : '';
    const existing = this.profiles.get(email);
    if (existing) {
      const props = { ...obj(existing.attributes.properties) };
      for (const [k, v] of Object.entries(obj(attributes.properties))) {
        if (v === null) delete props[k];
        else props[k] = v;
      }
      existing.attributes = { ...existing.attributes, ...attributes, properties: props };
      return { profile: existing, created: false };
    }
    const props = Object.fromEntries(Object.entries(obj(attributes.properties)).filter(([, v]) => v !== null));
    const profile = { id: `01KLAVIYO${String(this.seq++).padStart(6, '0')}`, attributes: { ...attributes, properties: props } };
    this.profiles.set(email, profile);
    return { profile, created: true };
  }

  protected answer(r: Recorded): ScriptedReply {
    const data = obj(obj(r.body).data);
    if (r.method === 'GET' && r.path === '/api/accounts') {
      return { status: 200, body: { data: [{ type: 'account', id: 'ACC1', attributes: { contact_information: { organization_name: 'Fake Shop' } } }] } };
    }
    if (r.method === 'POST' && r.path === '/api/profile-import') {
      const attributes = obj(data.attributes);
      if (data.type !== 'profile' || typeof attributes.email !== 'string') return FakeKlaviyo.errors(400, 'A profile needs an email, phone number or external id.');
      const { profile, created } = this.upsert(attributes);
      const wantsSubscriptions = r.query.get('additional-fields[profile]') === 'subscriptions';
      const consent = this.consent.get(String(attributes.email)) ?? 'NEVER_SUBSCRIBED';
      const subscriptions = wantsSubscriptions ? { subscriptions: { email: { marketing: { can_receive_email_marketing: consent === 'SUBSCRIBED', consent } } } } : {};
      return { status: created ? 201 : 200, body: { data: { type: 'profile', id: profile.id, attributes: { ...profile.attributes, ...subscriptions } } } };
    }
    if (r.method === 'POST' && r.path === '/api/events') {
      const a = obj(data.attributes);
      if (data.type !== 'event' || !obj(obj(obj(a.metric).data).attributes).name || !obj(obj(a.profile).data).attributes) return FakeKlaviyo.errors(400, 'An event needs a metric name and a profile.');
      return { status: 202 };
    }
    if (r.method === 'POST' && r.path === '/api/profile-bulk-import-jobs') {
      const profiles = (obj(obj(obj(data.attributes).profiles)).data as unknown[] | undefined) ?? [];
      if (data.type !== 'profile-bulk-import-job' || profiles.length === 0 || profiles.length > 10_000) return FakeKlaviyo.errors(400, 'Between 1 and 10,000 profiles per job.');
      const id = `BULK${this.seq++}`;
      const failed = profiles.filter((p) => typeof obj(obj(p).attributes).email !== 'string').length;
      for (const p of profiles) {
        const attributes = obj(obj(p).attributes);
        if (typeof attributes.email === 'string') this.upsert(attributes);
      }
      this.bulkJobs.set(id, { profiles: profiles.map(obj), polls: 0, failed });
      return { status: 202, body: { data: { type: 'profile-bulk-import-job', id, attributes: { status: 'queued', total_count: profiles.length, completed_count: 0, failed_count: 0 } } } };
    }
    const bulk = /^\/api\/profile-bulk-import-jobs\/([^/]+)$/.exec(r.path);
    if (r.method === 'GET' && bulk) {
      const job = this.bulkJobs.get(bulk[1]!);
      if (!job) return FakeKlaviyo.errors(404, 'Not found.');
      job.polls++;
      const done = job.polls >= 2;
      return {
        status: 200,
        body: {
          data: {
            type: 'profile-bulk-import-job',
            id: bulk[1],
            attributes: { status: done ? 'complete' : 'processing', total_count: job.profiles.length, completed_count: done ? job.profiles.length - job.failed : 0, failed_count: done ? job.failed : 0 },
          },
        },
      };
    }
    if (r.method === 'GET' && r.path === '/api/profiles') {
      const m = /^equals\(external_id,"([^"]+)"\)$/.exec(r.query.get('filter') ?? '');
      const found = m ? [...this.profiles.values()].filter((p) => p.attributes.external_id === m[1]) : [];
      return { status: 200, body: { data: found.map((p) => ({ type: 'profile', id: p.id, attributes: p.attributes })) } };
    }
    if (r.method === 'POST' && r.path === '/api/data-privacy-deletion-jobs') {
      const profile = obj(obj(obj(data.attributes).profile).data);
      if (data.type !== 'data-privacy-deletion-job' || profile.type !== 'profile' || typeof profile.id !== 'string') return FakeKlaviyo.errors(400, 'One identifier is required.');
      for (const [email, p] of this.profiles) if (p.id === profile.id) this.profiles.delete(email);
      return { status: 202 };
    }
    return FakeKlaviyo.errors(404, `No route ${r.method} ${r.path}`);
  }
}

export interface OmnisendContact {
  contactID: string;
  email: string;
  firstName?: string;
  lastName?: string;
  status: 'subscribed' | 'unsubscribed' | 'nonSubscribed';
  customProperties: Obj;
}

export class FakeOmnisend extends FakeTool {
  readonly contacts = new Map<string, OmnisendContact>();
  /** Email channel status given to new contacts. */
  newContactStatus: OmnisendContact['status'] = 'nonSubscribed';
  private seq = 1;

  get baseUrl(): string {
    return `${this.origin}/api`;
  }

  static problem(status: number, title: string, detail: string): ScriptedReply {
    return { status, body: { type: `https://problems.omnisend.com/${status}`, title, status, detail } };
  }

  protected checkHeaders(r: Recorded): ScriptedReply | null {
    if (r.headers.authorization !== `Omnisend-API-Key ${this.apiKey}`) return FakeOmnisend.problem(401, 'Unauthorized', 'Invalid API key');
    if (r.headers['omnisend-version'] !== '2026-03-15') return FakeOmnisend.problem(400, 'Bad Request', 'The Omnisend-Version header is required');
    return null;
  }

  protected answer(r: Recorded): ScriptedReply {
    const b = obj(r.body);
    if (r.method === 'GET' && r.path === '/api/contacts') return { status: 200, body: { contacts: [], paging: { hasMore: false } } };
    if (r.method === 'POST' && r.path === '/api/contacts') {
      const ids = Array.isArray(b.identifiers) ? b.identifiers.map(obj) : [];
      const email = ids.find((i) => i.type === 'email')?.id;
      if (typeof email !== 'string') return FakeOmnisend.problem(400, 'Bad Request', 'identifiers: an email identifier is required');
      for (const v of Object.values(obj(b.customProperties))) {
        if (v === null || typeof v === 'object') return FakeOmnisend.problem(400, 'Bad Request', 'customProperties: values must be strings, numbers, booleans or lists');
      }
      const existing = [...this.contacts.values()].find((c) => c.email === email);
      if (existing) {
        Object.assign(existing, { ...(b.firstName ? { firstName: b.firstName } : {}), ...(b.lastName ? { lastName: b.lastName } : {}) });
        existing.customProperties = { ...existing.customProperties, ...obj(b.customProperties) };
        return { status: 200, body: { contactID: existing.contactID } };
      }
      const contact: OmnisendContact = { contactID: `6${String(this.seq++).padStart(23, '0')}`, email, status: this.newContactStatus, customProperties: obj(b.customProperties), ...(typeof b.firstName === 'string' ? { firstName: b.firstName } : {}) };
      this.contacts.set(contact.contactID, contact);
      return { status: 201, body: { contactID: contact.contactID } };
    }
    const one = /^\/api\/contacts\/([^/]+)$/.exec(r.path);
    if (one) {
      const c = this.contacts.get(decodeURIComponent(one[1]!));
      if (!c) return FakeOmnisend.problem(404, 'Not Found', 'Contact not found');
      if (r.method === 'GET') {
        return { status: 200, body: { contactID: c.contactID, firstName: c.firstName, identifiers: [{ type: 'email', id: c.email, channels: { email: { status: c.status } } }], customProperties: c.customProperties } };
      }
      if (r.method === 'PATCH') {
        c.customProperties = { ...c.customProperties, ...obj(b.customProperties) };
        return { status: 200, body: { contactID: c.contactID } };
      }
    }
    if (r.method === 'POST' && r.path === '/api/events') {
      if (typeof b.eventName !== 'string' || typeof obj(b.contact).email !== 'string') return FakeOmnisend.problem(400, 'Bad Request', 'eventName and contact are required');
      return { status: 204 };
    }
    return FakeOmnisend.problem(404, 'Not Found', `No route ${r.method} ${r.path}`);
  }
}
