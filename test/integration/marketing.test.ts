import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/context.js';
import { OutboxDispatcher } from '../../src/events/dispatcher.js';
import { connectTool } from '../../src/modules/marketing/marketing.service.js';
import { adjust, createCustomer, order } from '../helpers/factories.js';
import { createHarness, createOrgFixture, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { FakeKlaviyo, FakeOmnisend } from './marketing-fakes.js';

type Obj = Record<string, unknown>;
const KLAVIYO_KEY = 'pk_test_0123456789abcdefKLAV';
const OMNISEND_KEY = '6543210fedcba-omnisend-secret-key';

let h: Harness;
let a: OrgFixture;
let klaviyo: FakeKlaviyo;
let omnisend: FakeOmnisend;
let dispatcher: OutboxDispatcher;

/** Delivers committed events, then runs due jobs: what the worker does within a second of a change. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) {
    const d = await dispatcher.drain();
    const j = await h.worker.drain();
    if (d === 0 && j === 0) return;
  }
}

async function status(f: OrgFixture, customerId: string) {
  const res = await f.admin.get(`/api/v1/customers/${customerId}/marketing-sync`);
  expect(res.statusCode).toBe(200);
  return res.json() as { tools: { tool: string; state: string; reason: string | null; consent: string | null; lastSyncedAt: string | null }[] };
}

const lastImport = (email: string) => {
  const calls = klaviyo.calls('POST', '/api/profile-import').filter((r) => (obj(obj(obj(r.body).data).attributes).email as string) === email);
  return calls[calls.length - 1];
};
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const propsOf = (r: { body: unknown } | undefined) => obj(obj(obj(obj(r?.body).data).attributes).properties);

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  klaviyo = await new FakeKlaviyo(KLAVIYO_KEY).start();
  omnisend = await new FakeOmnisend(OMNISEND_KEY).start();
  dispatcher = new OutboxDispatcher(h.ctx);
}, 60_000);

afterAll(async () => {
  await klaviyo?.stop();
  await omnisend?.stop();
  await h?.close();
});

describe('connecting a marketing tool', () => {
  it('refuses a private base URL through the API, a key the tool refuses, and bad input, storing nothing', async () => {
    const privateUrl = await a.admin.put('/api/v1/integrations/klaviyo', { apiKey: KLAVIYO_KEY, baseUrl: klaviyo.baseUrl });
    expect(privateUrl.statusCode).toBe(400);
    expect(privateUrl.json().error.details.fields[0].field).toBe('baseUrl');
    expect(privateUrl.json().error.message).toMatch(/loopback/);

    const noKey = await a.admin.put('/api/v1/integrations/klaviyo', {});
    expect(noKey.statusCode).toBe(400);
    expect(noKey.json().error.message).toMatch(/^apiKey: is required/);

    const spaces = await a.admin.put('/api/v1/integrations/klaviyo', { apiKey: 'has spaces in it' });
    expect(spaces.statusCode).toBe(400);

    await expect(connectTool(h.ctx, a.org.id, 'klaviyo', { apiKey: 'pk_wrong_key_12345', baseUrl: klaviyo.baseUrl }, { operator: true })).rejects.toMatchObject({
      code: 'RULE_REFUSED',
      message: expect.stringMatching(/Klaviyo did not accept the connection: Klaviyo answered HTTP 401: Missing or invalid private key/),
    });
    expect((await a.admin.get('/api/v1/integrations/klaviyo')).json()).toMatchObject({ status: 'not_connected', keyHint: null });
  });

  it('connects with the operator base URL: the key is checked, stored sealed, never returned; staff without settings:manage are refused', async () => {
    const view = await connectTool(h.ctx, a.org.id, 'klaviyo', { apiKey: KLAVIYO_KEY, baseUrl: klaviyo.baseUrl }, { operator: true });
    expect(view).toMatchObject({ status: 'connected', baseUrl: klaviyo.baseUrl, baseUrlSetByOperator: true, keyHint: '…KLAV' });
    const accounts = klaviyo.calls('GET', '/api/accounts');
    expect(accounts.length).toBeGreaterThan(0);
    expect(accounts[accounts.length - 1]!.headers).toMatchObject({ authorization: `Klaviyo-API-Key ${KLAVIYO_KEY}`, revision: '2026-10-15', accept: 'application/vnd.api+json' });
    const stored = await h.ctx.db.selectFrom('marketing_connections').selectAll().where('org_id', '=', a.org.id).executeTakeFirstOrThrow();
    expect(stored.api_key_sealed).toMatch(/^sealed:v1:/);
    expect(stored.api_key_sealed).not.toContain(KLAVIYO_KEY);
    const got = await a.admin.get('/api/v1/integrations/klaviyo');
    expect(got.statusCode).toBe(200);
    expect(got.body).not.toContain(KLAVIYO_KEY);
    const test = await a.admin.post('/api/v1/integrations/klaviyo/test');
    expect(test.json()).toMatchObject({ ok: true, message: 'Connected to the Klaviyo account "Fake Shop"' });
    expect(test.body).not.toContain(KLAVIYO_KEY);
    const support = await staffClient(h, a.org.id, ['customers:read', 'customers:write']);
    expect((await support.get('/api/v1/integrations/klaviyo')).statusCode).toBe(403);
    expect((await support.request('DELETE', '/api/v1/integrations/klaviyo')).statusCode).toBe(403);

    await connectTool(h.ctx, a.org.id, 'omnisend', { apiKey: OMNISEND_KEY, baseUrl: omnisend.baseUrl }, { operator: true });
    const contacts = omnisend.calls('GET', '/api/contacts');
    expect(contacts[contacts.length - 1]!.headers).toMatchObject({ authorization: `Omnisend-API-Key ${OMNISEND_KEY}`, 'omnisend-version': '2026-03-15' });
    await settle(); // the first syncs of an organization without customers
  });
});

describe('keeping profiles current', () => {
  it('a points adjustment updates the Klaviyo profile properties and the Omnisend contact; the consent is read back', async () => {
    const c = await createCustomer(a.api, { firstName: 'Ada', lastName: 'Lovelace', phone: '+44 20 7946 0958' });
    klaviyo.consent.set(c.email, 'SUBSCRIBED');
    omnisend.newContactStatus = 'unsubscribed';
    expect((await adjust(a.api, c.id, 'add', 120)).statusCode).toBe(201);
    await settle();

    const sent = lastImport(c.email)!;
    expect(sent.headers).toMatchObject({ authorization: `Klaviyo-API-Key ${KLAVIYO_KEY}`, revision: '2026-10-15', 'content-type': 'application/vnd.api+json' });
    expect(sent.query.get('additional-fields[profile]')).toBe('subscriptions');
    expect(obj(obj(sent.body).data).attributes).toMatchObject({ email: c.email, external_id: c.id, first_name: 'Ada', last_name: 'Lovelace', phone_number: '+442079460958' });
    expect(propsOf(sent)).toMatchObject({ patron_points_balance: 120, patron_points_pending: 0, patron_membership: 'member', patron_tier: null, patron_last_reward_code: null });

    const contact = [...omnisend.contacts.values()].find((x) => x.email === c.email)!;
    expect(contact.customProperties).toMatchObject({ patron_points_balance: 120, patron_tier: '', patron_membership: 'member' });

    // The referral link is the one the referrals feature shows for the customer.
    const referral = (await a.api.get(`/api/v1/customers/${c.id}/referral`)).json() as { link: string | null };
    expect(referral.link).toMatch(/\/r\/[A-Za-z0-9-]+$/);
    expect((await adjust(a.api, c.id, 'add', 5)).statusCode).toBe(201);
    await settle();
    expect(propsOf(lastImport(c.email)!)).toMatchObject({ patron_points_balance: 125, patron_referral_link: referral.link });

    // The customer profile API carries the same section.
    const profile = (await a.api.get(`/api/v1/customers/${c.id}`)).json() as { marketingSync: Obj[] };
    expect(profile.marketingSync).toEqual([
      expect.objectContaining({ tool: 'klaviyo', state: 'synced', consent: 'subscribed' }),
      expect.objectContaining({ tool: 'omnisend', state: 'synced', consent: 'unsubscribed' }),
    ]);
    const s = await status(a, c.id);
    expect(s.tools).toEqual([
      expect.objectContaining({ tool: 'klaviyo', state: 'synced', reason: null, consent: 'subscribed' }),
      expect.objectContaining({ tool: 'omnisend', state: 'synced', reason: null, consent: 'unsubscribed' }),
    ]);
  });

  it('a burst of changes to one customer is one profile update', async () => {
    const c = await createCustomer(a.api);
    await settle();
    const before = klaviyo.calls('POST', '/api/profile-import').length;
    for (let i = 0; i < 5; i++) expect((await adjust(a.api, c.id, 'add', 10)).statusCode).toBe(201);
    await settle();
    expect(klaviyo.calls('POST', '/api/profile-import').length - before).toBe(1);
    expect(propsOf(lastImport(c.email))).toMatchObject({ patron_points_balance: 50 });
  });

  it('loyalty events go to both tools: points earned on an order', async () => {
    const c = await createCustomer(a.api);
    expect((await order(a.api, c.id, '40.00')).statusCode).toBe(201);
    await settle();
    const events = klaviyo.calls('POST', '/api/events').filter((r) => obj(obj(obj(obj(obj(r.body).data).attributes).profile).data).attributes !== undefined && obj(obj(obj(obj(obj(obj(r.body).data).attributes).profile).data).attributes).email === c.email);
    expect(events).toHaveLength(1);
    const attrs = obj(obj(events[0]!.body).data).attributes as Obj;
    expect(obj(obj(attrs.metric).data)).toMatchObject({ type: 'metric', attributes: { name: 'Patron Points Earned' } });
    expect(attrs).toMatchObject({ unique_id: expect.any(String), properties: { points: expect.any(Number), kind: 'earn_order' } });
    const omni = omnisend.calls('POST', '/api/events').filter((r) => obj(obj(r.body).contact).email === c.email);
    expect(omni).toHaveLength(1);
    expect(omni[0]!.body).toMatchObject({ eventName: 'Patron Points Earned', origin: 'api', eventID: attrs.unique_id });
  });

  it('a 429 is retried after Retry-After, and nothing is lost meanwhile', async () => {
    const c = await createCustomer(a.api);
    await settle();
    klaviyo.script('POST /api/profile-import', { status: 429, retryAfter: '7', body: { errors: [{ status: 429, code: 'throttled', title: 'Request was throttled.', detail: 'Request was throttled. Expected available in 7 seconds.' }] } });
    await adjust(a.api, c.id, 'add', 33);
    await settle();
    let s = await status(a, c.id);
    expect(s.tools[0]).toMatchObject({ tool: 'klaviyo', state: 'pending', reason: expect.stringMatching(/HTTP 429.*retrying after 7 s/) });
    const due = await h.ctx.db.selectFrom('jobs').select(['run_at']).where('org_id', '=', a.org.id).where('type', '=', 'marketing.sync').where('status', '=', 'queued').execute();
    expect(due.map((j) => j.run_at.getTime() - h.clock.now().getTime())).toContain(7000);
    h.clock.advance(6000);
    await settle();
    expect((await status(a, c.id)).tools[0]!.state).toBe('pending');
    h.clock.advance(1500);
    await settle();
    s = await status(a, c.id);
    expect(s.tools[0]).toMatchObject({ state: 'synced', reason: null });
    expect(propsOf(lastImport(c.email))).toMatchObject({ patron_points_balance: 33 });
  });

  it('a 400 shows failed with the reason; a later change or "Resync now" syncs again', async () => {
    const c = await createCustomer(a.api);
    await settle();
    klaviyo.script('POST /api/profile-import', FakeKlaviyo.errors(400, 'Invalid phone number format (Example of a valid format: +12345678901)', '/data/attributes/phone_number'));
    await adjust(a.api, c.id, 'add', 5);
    await settle();
    let s = await status(a, c.id);
    expect(s.tools[0]).toMatchObject({ state: 'failed', reason: 'Klaviyo answered HTTP 400: Invalid phone number format (Example of a valid format: +12345678901)' });
    expect(s.tools[1]).toMatchObject({ state: 'synced' });
    const counts = (await a.admin.get('/api/v1/integrations/klaviyo')).json().counts as { failed: number };
    expect(counts.failed).toBeGreaterThanOrEqual(1);
    // The grid's "sync failed" filter finds exactly the customers whose sync failed.
    const grid = await a.admin.get('/api/v1/customers?marketingSync=failed');
    expect(grid.statusCode).toBe(200);
    expect((grid.json().items as { id: string }[]).map((r) => r.id)).toEqual([c.id]);
    expect((await a.admin.get('/api/v1/customers?marketingSync=yes')).statusCode).toBe(400);

    const resync = await a.admin.post(`/api/v1/customers/${c.id}/marketing-sync`);
    expect(resync.statusCode).toBe(200);
    expect(resync.json().tools[0]).toMatchObject({ state: 'pending' });
    await settle();
    s = await status(a, c.id);
    expect(s.tools[0]).toMatchObject({ state: 'synced', reason: null });
    expect((await a.admin.get('/api/v1/customers?marketingSync=failed')).json().items).toEqual([]);
  });

  it('a customer without an email is skipped with the reason', async () => {
    const c = await createCustomer(a.api, { email: null });
    await adjust(a.api, c.id, 'add', 5);
    await settle();
    const s = await status(a, c.id);
    expect(s.tools).toEqual([
      expect.objectContaining({ tool: 'klaviyo', state: 'skipped', reason: 'The customer has no email address' }),
      expect.objectContaining({ tool: 'omnisend', state: 'skipped', reason: 'The customer has no email address' }),
    ]);
  });

  it('an anonymized customer is deleted in Klaviyo, stripped in Omnisend, and never synced again', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 5);
    await settle();
    const profileId = klaviyo.profiles.get(c.email)!.id;
    const res = await a.admin.post(`/api/v1/customers/${c.id}/anonymize`, { confirmEmail: c.email });
    expect(res.statusCode).toBe(200);
    await settle();
    const deletion = klaviyo.calls('POST', '/api/data-privacy-deletion-jobs');
    expect(deletion.map((d) => d.body)).toContainEqual({ data: { type: 'data-privacy-deletion-job', attributes: { profile: { data: { type: 'profile', id: profileId } } } } });
    expect(klaviyo.profiles.has(c.email)).toBe(false);
    const s = await status(a, c.id);
    expect(s.tools[0]).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/^The customer was anonymized\. Deletion of the Klaviyo profile requested/) });
    expect(s.tools[1]).toMatchObject({ state: 'skipped', reason: expect.stringMatching(/^The customer was anonymized\. Loyalty properties removed/) });
    expect(JSON.stringify(s)).not.toContain(c.email);

    const imports = klaviyo.calls('POST', '/api/profile-import').length;
    const deletions = deletion.length;
    expect((await a.admin.post(`/api/v1/customers/${c.id}/marketing-sync`)).statusCode).toBe(200);
    await settle();
    expect(klaviyo.calls('POST', '/api/profile-import').length).toBe(imports);
    expect(klaviyo.calls('POST', '/api/data-privacy-deletion-jobs').length).toBe(deletions);
    expect((await status(a, c.id)).tools[0]!.state).toBe('skipped');
  });
});

describe('the first sync of an organization', () => {
  it('sends the existing customers through one bulk import job, with progress, and skips those without email', async () => {
    const b = await createOrgFixture(h);
    const customers = [await createCustomer(b.api), await createCustomer(b.api), await createCustomer(b.api)];
    await adjust(b.api, customers[0]!.id, 'add', 70);
    const noEmail = await createCustomer(b.api, { email: null });
    await settle();
    const view = await connectTool(h.ctx, b.org.id, 'klaviyo', { apiKey: KLAVIYO_KEY, baseUrl: klaviyo.baseUrl }, { operator: true });
    expect(view.firstSync).toMatchObject({ status: 'queued' });
    const jobsBefore = klaviyo.calls('POST', '/api/profile-bulk-import-jobs').length;
    // The first job submits the import; follow-up jobs look at it (the worker never waits for it).
    const progress: Obj[] = [];
    for (let i = 0; i < 6; i++) {
      await settle();
      const latest = await h.ctx.db.selectFrom('marketing_connections').innerJoin('jobs', (j) => j.onRef('jobs.org_id', '=', 'marketing_connections.org_id').onRef('jobs.id', '=', 'marketing_connections.first_sync_job_id')).select(['jobs.progress', 'jobs.status']).where('marketing_connections.org_id', '=', b.org.id).executeTakeFirstOrThrow();
      progress.push(obj(latest.progress));
      if (latest.status === 'done' && obj(latest.progress).phase === 'done') break;
      h.clock.advance(2000);
    }
    const bulk = klaviyo.calls('POST', '/api/profile-bulk-import-jobs').slice(jobsBefore);
    expect(bulk).toHaveLength(1);
    const sent = (obj(obj(obj(obj(bulk[0]!.body).data).attributes).profiles).data as Obj[]).map((p) => obj(p.attributes));
    expect(sent.map((p) => p.email).sort()).toEqual(customers.map((c) => c.email).sort());
    expect(sent.find((p) => p.email === customers[0]!.email)!.properties).toMatchObject({ patron_points_balance: 70 });
    expect(JSON.stringify(sent)).not.toContain('null'); // bulk import cannot clear fields: nulls are left out
    expect(progress[progress.length - 1]).toMatchObject({ phase: 'done', submitted: 3, completed: 3, failed: 0, imports: 1, oneByOne: 1 });
    expect(progress.some((p) => obj(p.current).status === 'processing')).toBe(true);
    const view2 = (await b.admin.get('/api/v1/integrations/klaviyo')).json();
    expect(view2.firstSync).toMatchObject({ status: 'done', progress: { phase: 'done', completed: 3 } });
    await settle();
    for (const c of customers) expect((await status(b, c.id)).tools[0]).toMatchObject({ state: 'synced' });
    expect((await status(b, noEmail.id)).tools[0]).toMatchObject({ state: 'skipped', reason: 'The customer has no email address' });
    expect((await b.admin.get('/api/v1/integrations/klaviyo')).json().counts).toEqual({ synced: 3, pending: 0, failed: 0, skipped: 1 });
  });
});

describe('tenant isolation', () => {
  it("another organization sees neither the connection nor a customer's sync state", async () => {
    const other = await createOrgFixture(h);
    expect((await other.admin.get('/api/v1/integrations/klaviyo')).json()).toMatchObject({ status: 'not_connected' });
    expect((await other.api.get(`/api/v1/customers/${(await createCustomer(other.api)).id}`)).json().marketingSync).toEqual([]);
    const c = await createCustomer(a.api);
    expect((await other.admin.get(`/api/v1/customers/${c.id}/marketing-sync`)).statusCode).toBe(404);
    expect((await other.admin.post(`/api/v1/customers/${c.id}/marketing-sync`)).statusCode).toBe(404);
    await settle();
    // A change in the other organization calls no tool of this one.
    const before = klaviyo.requests.length;
    const own = await createCustomer(other.api);
    await adjust(other.api, own.id, 'add', 10);
    await settle();
    expect(klaviyo.requests.length).toBe(before);
  });
});

describe('promptness', () => {
  it('with the worker and dispatcher running, an adjustment reaches Klaviyo within a few seconds', async () => {
    const c = await createCustomer(a.api);
    h.ctx.clock = systemClock;
    dispatcher.start();
    h.worker.start();
    try {
      const started = Date.now();
      expect((await adjust(a.api, c.id, 'add', 77)).statusCode).toBe(201);
      let seen: number | null = null;
      while (Date.now() - started < 15_000) {
        const r = lastImport(c.email);
        if (r && propsOf(r).patron_points_balance === 77) {
          seen = r.at - started;
          break;
        }
        await new Promise((res) => setTimeout(res, 50));
      }
      expect(seen).not.toBeNull();
      expect(seen!).toBeLessThan(5000);
    } finally {
      await dispatcher.stop();
      await h.worker.stop();
      h.ctx.clock = h.clock;
    }
  }, 30_000);
});
