import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { closeMailTransports } from '../../src/modules/wallet/wallet.messages.mail.js';
import type { PassContent, PassPlatform, PlatformDelivery } from '../../src/modules/wallet/wallet.platforms.js';
import { PLATFORMS } from '../../src/modules/wallet/wallet.registry.js';
import { setMembership, timeline } from '../helpers/customer-ops-factories.js';
import { createCustomer } from '../helpers/factories.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, unique, type Harness, type OrgFixture } from '../helpers/harness.js';

/**
 * A wallet platform for these tests only, added to the platform list here (never in the
 * product): it records every message it is asked to deliver and answers as told.
 */
class TestPlatform implements PassPlatform {
  calls: { orgId: string; customerId: string; message: string }[] = [];
  orgs = new Set<string>();
  answer: (content: PassContent) => Omit<PlatformDelivery, 'platform'> = () => ({ delivered: 1, failed: 0 });
  /** Throws (like a process dying) on the n-th `configured` call from now, once. */
  crashOnConfiguredCall: number | null = null;
  constructor(readonly name: 'apple' | 'google') {}
  async configured(_ctx: AppContext, orgId: string) {
    if (this.crashOnConfiguredCall !== null && --this.crashOnConfiguredCall === 0) {
      this.crashOnConfiguredCall = null;
      throw new Error('simulated crash');
    }
    return this.orgs.has(orgId);
  }
  async passChanged() {
    return { platform: this.name, delivered: 0, failed: 0 };
  }
  async sendMessage(_ctx: AppContext, content: PassContent, message: string): Promise<PlatformDelivery> {
    this.calls.push({ orgId: content.orgId, customerId: content.customerId, message });
    return { platform: this.name, ...this.answer(content) };
  }
  async status() {
    return {};
  }
}

interface Mail {
  from: string;
  to: string[];
  raw: string;
  user: string | null;
}

/** Quoted-printable soft breaks and escapes undone, so links can be searched in the raw message. */
const decoded = (raw: string) => raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

let h: Harness;
let a: OrgFixture;
let apple: TestPlatform;
let sink: SMTPServer;
let sinkPort = 0;
const mails: Mail[] = [];
let rejectNext = false;
const registry = PLATFORMS as PassPlatform[];
const original = [...registry];

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  apple = new TestPlatform('apple');
  // Only the test platform answers in these tests.
  registry.splice(0, registry.length, apple);
  sink = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    onAuth(auth, _session, cb) {
      if (auth.username === 'mailer' && auth.password === 'p@ss word') cb(null, { user: auth.username });
      else cb(new Error('Invalid username or password'));
    },
    onRcptTo(address, _session, cb) {
      if (rejectNext) {
        rejectNext = false;
        const err = new Error('Mailbox unavailable') as Error & { responseCode: number };
        err.responseCode = 550;
        cb(err);
        return;
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const from = session.envelope.mailFrom;
        mails.push({ from: from ? from.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks).toString('utf8'), user: (session.user as string | undefined) ?? null });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  sinkPort = (sink.server.address() as AddressInfo).port;
});

afterAll(async () => {
  registry.splice(0, registry.length, ...original);
  closeMailTransports();
  await new Promise<void>((resolve) => sink.close(() => resolve()));
  await h.close();
});

beforeEach(() => {
  apple.orgs = new Set([a.org.id]);
  apple.answer = () => ({ delivered: 1, failed: 0 });
  apple.calls = [];
  h.ctx.config.smtpUrl = `smtp://mailer:${encodeURIComponent('p@ss word')}@127.0.0.1:${sinkPort}`;
  h.ctx.config.smtpFrom = 'Patron <no-reply@patron.example>';
  h.ctx.config.publicUrl = 'https://loyalty.example.com';
});

const pushes = async (f: OrgFixture, customerId: string) => {
  const res = await f.admin.get(`/api/v1/customers/${customerId}/wallet/pushes`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as { id: string; status: string; reason: string | null; appleDevices: number; campaignId: string | null; campaignName: string | null; platforms: Record<string, unknown> }[];
};

const types = async (customerId: string) => (await timeline(h, a.org.id, customerId)).map((e) => e.type).filter((t) => t.startsWith('wallet.')).reverse();

describe(`wallet messages on ${ENGINE}`, () => {
  it('wallet settings: defaults, clear field errors, settings:manage', async () => {
    const got = await a.admin.get('/api/v1/wallet/settings');
    expect(got.statusCode, got.body).toBe(200);
    expect(got.json()).toMatchObject({ terms: '', mailFrom: '', backgroundColor: '#1f2a44', email: { configured: true, sender: 'Patron <no-reply@patron.example>' } });
    const bad: [Record<string, unknown>, string][] = [
      [{ mailFrom: 'not an address' }, 'mailFrom'],
      [{ mailFrom: 'Shop <shop@example.com' }, 'mailFrom'],
      [{ backgroundColor: 'red' }, 'backgroundColor'],
      [{ foregroundColor: '#12345' }, 'foregroundColor'],
      [{ terms: 'x'.repeat(2001) }, 'terms'],
    ];
    for (const [body, field] of bad) {
      const res = await a.admin.patch('/api/v1/wallet/settings', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json().error.details)).toContain(field);
    }
    expect((await a.admin.get('/api/v1/wallet/settings')).json().mailFrom).toBe('');
    const support = await staffClient(h, a.org.id, ['customers:read', 'customers:write']);
    expect((await support.patch('/api/v1/wallet/settings', { terms: 'x' })).statusCode).toBe(403);
    const ok = await a.admin.patch('/api/v1/wallet/settings', { mailFrom: 'Rewards Club <rewards@shop.example>', terms: 'Points expire after a year.', backgroundColor: '#AA0000' });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toMatchObject({ mailFrom: 'Rewards Club <rewards@shop.example>', terms: 'Points expire after a year.', backgroundColor: '#aa0000', email: { sender: 'Rewards Club <rewards@shop.example>' } });
  });

  it('send loyalty card: the SMTP sink receives the pass links from the organization sender; the timeline says so', async () => {
    const c = await createCustomer(a.api, { firstName: 'Ada', email: `${unique('ada')}@example.com` });
    const res = await a.admin.post(`/api/v1/customers/${c.id}/wallet/send-card`, undefined, { 'idempotency-key': unique('k') });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.to).toBe(c.email);
    expect(body.platforms).toEqual(['apple']);
    expect(body.links.apple).toMatch(/^https:\/\/loyalty\.example\.com\/c\/[A-Za-z0-9_-]{43}\/apple\.pkpass$/);
    expect(body.links.google).toBeNull();
    expect(body.links.webApp).toBe(body.links.apple.replace(/\/apple\.pkpass$/, ''));
    const mail = mails[mails.length - 1]!;
    expect(mail.to).toEqual([c.email]);
    expect(mail.from).toBe('rewards@shop.example');
    expect(mail.user).toBe('mailer');
    const text = decoded(mail.raw);
    expect(text).toContain('Rewards Club');
    expect(text).toContain(body.links.apple);
    expect(text).toContain(body.links.webApp);
    expect(text).toContain('Hello Ada');
    expect(await types(c.id)).toEqual(['wallet.card_sent']);
    const ev = (await timeline(h, a.org.id, c.id)).find((e) => e.type === 'wallet.card_sent')!;
    expect(ev.payload).toMatchObject({ to: c.email, platforms: ['apple'] });
    expect(ev.actor_type).toBe('user');
  });

  it('send loyalty card refuses clearly and sends nothing', async () => {
    const before = mails.length;
    const noEmail = await createCustomer(a.api, { email: null });
    let res = await a.admin.post(`/api/v1/customers/${noEmail.id}/wallet/send-card`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/no e-mail address/);
    const guest = await createCustomer(a.api, { accountState: 'guest' });
    expect((await a.api.get(`/api/v1/customers/${guest.id}`)).json().membershipType).toBe('guest');
    res = await a.admin.post(`/api/v1/customers/${guest.id}/wallet/send-card`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatchObject({ code: 'MEMBERSHIP_RESTRICTED' });
    expect(res.json().error.message).toMatch(/a guest/);
    const left = await createCustomer(a.api);
    const moved = await setMembership(a.api, left.id, 'left');
    expect(moved.statusCode, moved.body).toBe(200);
    res = await a.admin.post(`/api/v1/customers/${left.id}/wallet/send-card`);
    expect(res.json().error.message).toMatch(/left the program/);
    const member = await createCustomer(a.api);
    h.ctx.config.smtpUrl = undefined;
    res = await a.admin.post(`/api/v1/customers/${member.id}/wallet/send-card`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/^E-mail is not configured on this server: set PATRON_SMTP_URL/);
    h.ctx.config.smtpUrl = `smtp://mailer:${encodeURIComponent('p@ss word')}@127.0.0.1:${sinkPort}`;
    apple.orgs.clear();
    res = await a.admin.post(`/api/v1/customers/${member.id}/wallet/send-card`);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.message).toMatch(/No wallet platform is configured/);
    apple.orgs.add(a.org.id);
    rejectNext = true;
    res = await a.admin.post(`/api/v1/customers/${member.id}/wallet/send-card`);
    expect(res.statusCode).toBe(503);
    expect(res.json().error.message).toMatch(/550/);
    expect(res.body).not.toContain('p@ss');
    expect((await a.admin.post(`/api/v1/customers/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}/wallet/send-card`)).statusCode).toBe(404);
    expect(mails.length).toBe(before);
    for (const id of [noEmail.id, guest.id, member.id]) expect((await types(id)).filter((t) => t === 'wallet.card_sent')).toEqual([]);
  });

  it('send push: created, then sent by the job with the platforms on the timeline; listed on the customer', async () => {
    const c = await createCustomer(a.api);
    apple.answer = () => ({ delivered: 2, failed: 0 });
    const res = await a.admin.post(`/api/v1/customers/${c.id}/wallet/pushes`, { message: '  Double points this weekend!  ' }, { 'idempotency-key': unique('k') });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'created', message: 'Double points this weekend!', customerId: c.id, campaignId: null });
    expect(await types(c.id)).toEqual(['wallet.push_created']);
    await h.worker.drain();
    expect(apple.calls).toEqual([{ orgId: a.org.id, customerId: c.id, message: 'Double points this weekend!' }]);
    const [p] = await pushes(a, c.id);
    expect(p).toMatchObject({ status: 'sent', reason: null, appleDevices: 2, platforms: { apple: { delivered: 2, failed: 0, reason: null } } });
    expect(await types(c.id)).toEqual(['wallet.push_created', 'wallet.push_sent']);
    const sent = (await timeline(h, a.org.id, c.id)).find((e) => e.type === 'wallet.push_sent')!;
    expect(sent.payload).toMatchObject({ pushId: p!.id, platforms: ['apple'], appleDevices: 2 });
    expect(sent.summary).toBe('Push sent to Apple Wallet: "Double points this weekend!"');
    const summary = (await a.admin.get(`/api/v1/customers/${c.id}/wallet`)).json();
    expect(summary.pushesSent).toBe(1);
    await h.worker.drain();
    expect(apple.calls).toHaveLength(1);
  });

  it('send push: failed with the platform reason when no pass got it', async () => {
    const c = await createCustomer(a.api);
    apple.answer = () => ({ delivered: 0, failed: 0, reason: 'no device has added this pass' });
    expect((await a.admin.post(`/api/v1/customers/${c.id}/wallet/pushes`, { message: 'Hello' })).statusCode).toBe(201);
    await h.worker.drain();
    const [p] = await pushes(a, c.id);
    expect(p).toMatchObject({ status: 'failed', reason: 'Apple Wallet: no device has added this pass' });
    expect(await types(c.id)).toEqual(['wallet.push_created', 'wallet.push_failed']);
    const failed = (await timeline(h, a.org.id, c.id)).find((e) => e.type === 'wallet.push_failed')!;
    expect(failed.payload).toMatchObject({ reason: 'Apple Wallet: no device has added this pass' });
    expect((await a.admin.get(`/api/v1/customers/${c.id}/wallet`)).json()).toMatchObject({ pushesSent: 0, pushesFailed: 1 });
  });

  it('send push refuses bad input and customers without a pass, creating nothing', async () => {
    const c = await createCustomer(a.api);
    for (const [body, field] of [
      [{ message: '   ' }, 'message'],
      [{ message: 'x'.repeat(301) }, 'message'],
      [{}, 'message'],
      [{ message: 'hi', extra: 1 }, 'extra'],
    ] as const) {
      const res = await a.admin.post(`/api/v1/customers/${c.id}/wallet/pushes`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(res.json().error)).toContain(field);
    }
    const guest = await createCustomer(a.api, { accountState: 'guest' });
    expect((await a.admin.post(`/api/v1/customers/${guest.id}/wallet/pushes`, { message: 'hi' })).json().error.code).toBe('MEMBERSHIP_RESTRICTED');
    apple.orgs.clear();
    const none = await a.admin.post(`/api/v1/customers/${c.id}/wallet/pushes`, { message: 'hi' });
    expect(none.statusCode).toBe(409);
    expect(none.json().error.message).toMatch(/No wallet platform is configured/);
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    expect((await viewer.post(`/api/v1/customers/${c.id}/wallet/pushes`, { message: 'hi' })).statusCode).toBe(403);
    expect(await pushes(a, c.id)).toEqual([]);
    expect(await pushes(a, guest.id)).toEqual([]);
  });

  it('a push resumed after a crash never asks a platform twice', async () => {
    const c = await createCustomer(a.api);
    const created = (await a.admin.post(`/api/v1/customers/${c.id}/wallet/pushes`, { message: 'Resumed' })).json();
    // The crash happened after the platform was marked as being called, before its answer was kept.
    await h.ctx.db
      .updateTable('wallet_pushes')
      .set({ platforms: JSON.stringify({ apple: { state: 'sending' } }) })
      .where('org_id', '=', a.org.id)
      .where('id', '=', created.id)
      .execute();
    await h.worker.drain();
    expect(apple.calls).toEqual([]);
    const [p] = await pushes(a, c.id);
    expect(p!.status).toBe('failed');
    expect(p!.reason).toMatch(/interrupted; not sent again/);
    // A crash after the answer was kept but before the push was settled: settled from the answer.
    const second = (await a.admin.post(`/api/v1/customers/${c.id}/wallet/pushes`, { message: 'Answered' })).json();
    await h.ctx.db
      .updateTable('wallet_pushes')
      .set({ platforms: JSON.stringify({ apple: { state: 'done', delivered: 1, failed: 0 } }) })
      .where('org_id', '=', a.org.id)
      .where('id', '=', second.id)
      .execute();
    await h.worker.drain();
    expect(apple.calls).toEqual([]);
    expect((await pushes(a, c.id))[0]).toMatchObject({ id: second.id, status: 'sent', appleDevices: 1 });
  });

  it('lists pushes newest first with keyset paging', async () => {
    const c = await createCustomer(a.api);
    for (const m of ['one', 'two', 'three']) {
      expect((await a.admin.post(`/api/v1/customers/${c.id}/wallet/pushes`, { message: m })).statusCode).toBe(201);
      h.clock.advance(1000);
    }
    const first = (await a.admin.get(`/api/v1/customers/${c.id}/wallet/pushes?limit=2`)).json();
    expect(first.items.map((p: { message: string }) => p.message)).toEqual(['three', 'two']);
    const second = (await a.admin.get(`/api/v1/customers/${c.id}/wallet/pushes?limit=2&cursor=${first.nextCursor}`)).json();
    expect(second.items.map((p: { message: string }) => p.message)).toEqual(['one']);
    expect(second.nextCursor).toBeNull();
    const other = await createCustomer(a.api);
    expect((await a.admin.get(`/api/v1/customers/${other.id}/wallet/pushes?cursor=${first.nextCursor}`)).statusCode).toBe(400);
    await h.worker.drain();
  });
});

describe(`wallet campaigns on ${ENGINE}`, () => {
  let b: OrgFixture;
  const tag = unique('vip').toLowerCase();
  let segmentId = '';
  let inSegment: { id: string }[] = [];
  let guest: { id: string };
  let outside: { id: string };

  beforeAll(async () => {
    b = await createOrgFixture(h);
    inSegment = [];
    for (let i = 0; i < 4; i++) inSegment.push(await createCustomer(b.api, { email: `${tag}-${i}@example.com` }));
    guest = await createCustomer(b.api, { email: `${tag}-guest@example.com`, accountState: 'guest' });
    outside = await createCustomer(b.api, { email: `${unique('other')}@example.com` });
    const seg = await b.admin.post('/api/v1/segments', { name: `VIP ${tag}`, filter: { search: tag } });
    expect(seg.statusCode, seg.body).toBe(201);
    segmentId = seg.json().id;
  });

  beforeEach(() => {
    apple.orgs.add(b.org.id);
  });

  const campaign = async (id: string) => (await b.admin.get(`/api/v1/wallet/campaigns/${id}`)).json();
  const callsFor = (campaignMessage: string) => apple.calls.filter((c) => c.orgId === b.org.id && c.message === campaignMessage);
  const pushRows = (campaignId: string) => h.ctx.db.selectFrom('wallet_pushes').selectAll().where('org_id', '=', b.org.id).where('campaign_id', '=', campaignId).execute();

  it('a campaign to a segment reaches its members once, with counts and timeline events, even after a crash', async () => {
    apple.answer = (content) => (content.customerId === inSegment[3]!.id ? { delivered: 0, failed: 1, reason: 'the device token is no longer valid' } : { delivered: 1, failed: 0 });
    // The worker dies after the second customer's push: the job is retried and resumes.
    apple.crashOnConfiguredCall = 3;
    const res = await b.admin.post('/api/v1/wallet/campaigns', { name: 'Spring sale', message: 'Spring sale: 20% off', segmentId }, { 'idempotency-key': unique('k') });
    expect(res.statusCode, res.body).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ status: 'sending', segmentId, segmentName: `VIP ${tag}`, reached: 0 });
    await h.worker.drain();
    const job = await h.ctx.db.selectFrom('jobs').select(['status', 'attempts', 'last_error']).where('org_id', '=', b.org.id).where('type', '=', 'wallet.campaign.send').executeTakeFirstOrThrow();
    expect(job).toMatchObject({ status: 'queued', attempts: 1, last_error: 'simulated crash' });
    expect((await campaign(created.id)).status).toBe('sending');
    h.clock.advance(3600_000);
    await h.worker.drain();
    const done = await campaign(created.id);
    expect(done).toMatchObject({ status: 'sent', reached: 4, sent: 3, failed: 1, skipped: 0 });
    expect(done.finishedAt).not.toBeNull();
    // One push per member, one platform call per member: nobody was messaged twice.
    const rows = await pushRows(created.id);
    expect(rows.map((r) => r.customer_id).sort()).toEqual(inSegment.map((c) => c.id).sort());
    expect(callsFor('Spring sale: 20% off').map((c) => c.customerId).sort()).toEqual(inSegment.map((c) => c.id).sort());
    expect(await pushRows(created.id).then((r) => r.filter((p) => p.customer_id === guest.id || p.customer_id === outside.id))).toEqual([]);
    const t0 = (await timeline(h, b.org.id, inSegment[0]!.id)).map((e) => e.type).reverse();
    expect(t0).toEqual(['customer.created', 'wallet.campaign_joined', 'wallet.push_created', 'wallet.push_sent']);
    const joined = (await timeline(h, b.org.id, inSegment[0]!.id)).find((e) => e.type === 'wallet.campaign_joined')!;
    expect(joined.payload).toMatchObject({ campaignId: created.id, campaignName: 'Spring sale' });
    const failed = (await timeline(h, b.org.id, inSegment[3]!.id)).find((e) => e.type === 'wallet.push_failed')!;
    expect(failed.payload).toMatchObject({ campaignName: 'Spring sale', reason: 'Apple Wallet: the device token is no longer valid' });
    const listed = (await b.admin.get('/api/v1/wallet/campaigns')).json();
    expect(listed.items[0]).toMatchObject({ id: created.id, reached: 4, sent: 3, failed: 1 });
    const customerPushes = (await b.admin.get(`/api/v1/customers/${inSegment[1]!.id}/wallet/pushes`)).json().items;
    expect(customerPushes[0]).toMatchObject({ campaignId: created.id, campaignName: 'Spring sale', status: 'sent' });
  });

  it('a scheduled campaign joins members now and skips, when it is sent, those who left the program (campaign left)', async () => {
    apple.answer = () => ({ delivered: 1, failed: 0 });
    const sendAt = new Date(h.clock.now().getTime() + 2 * 3600_000).toISOString();
    const created = (await b.admin.post('/api/v1/wallet/campaigns', { name: 'Later', message: 'See you soon', segmentId, sendAt })).json();
    expect(created).toMatchObject({ status: 'scheduled', sendAt });
    await h.worker.drain();
    expect(await campaign(created.id)).toMatchObject({ status: 'scheduled', reached: 4, sent: 0 });
    expect(callsFor('See you soon')).toEqual([]);
    expect((await setMembership(b.api, inSegment[2]!.id, 'left')).statusCode).toBe(200);
    await h.scheduler.tick(true);
    await h.worker.drain();
    expect((await campaign(created.id)).status).toBe('scheduled');
    h.clock.advance(2 * 3600_000 + 1000);
    await h.scheduler.tick(true);
    await h.worker.drain();
    expect(await campaign(created.id)).toMatchObject({ status: 'sent', reached: 4, sent: 3, failed: 0, skipped: 1 });
    expect(callsFor('See you soon').map((c) => c.customerId)).not.toContain(inSegment[2]!.id);
    const left = (await timeline(h, b.org.id, inSegment[2]!.id)).find((e) => e.type === 'wallet.campaign_left')!;
    expect(left.summary).toBe('Left campaign "Later": left the program before the campaign was sent');
    expect((await setMembership(b.api, inSegment[2]!.id, 'member')).statusCode).toBe(200);
  });

  it('cancelling a scheduled campaign skips everyone who joined; a second cancel is refused', async () => {
    const sendAt = new Date(h.clock.now().getTime() + 3600_000).toISOString();
    const created = (await b.admin.post('/api/v1/wallet/campaigns', { name: 'Cancelled', message: 'Never sent', sendAt })).json();
    expect(created.segmentId).toBeNull();
    await h.worker.drain();
    const reached = (await campaign(created.id)).reached;
    expect(reached).toBe(5); // every member of the organization: the four and the other customer
    const res = await b.admin.post(`/api/v1/wallet/campaigns/${created.id}/cancel`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'cancelled', reached: 5, skipped: 5, sent: 0 });
    expect((await b.admin.post(`/api/v1/wallet/campaigns/${created.id}/cancel`)).statusCode).toBe(409);
    h.clock.advance(2 * 3600_000);
    await h.scheduler.tick(true);
    await h.worker.drain();
    expect(callsFor('Never sent')).toEqual([]);
    expect((await timeline(h, b.org.id, outside.id)).map((e) => e.type)).toContain('wallet.campaign_left');
  });

  it('refuses bad campaigns with the field named', async () => {
    const cases: [Record<string, unknown>, string, number][] = [
      [{ name: '', message: 'x' }, 'name', 400],
      [{ name: 'x', message: '' }, 'message', 400],
      [{ name: 'x', message: 'x', sendAt: 'tomorrow' }, 'sendAt', 400],
      [{ name: 'x', message: 'x', sendAt: '2020-01-01T00:00:00Z' }, 'sendAt', 400],
      [{ name: 'x', message: 'x', segmentId: `${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}` }, 'segmentId', 404],
    ];
    for (const [body, field, status] of cases) {
      const res = await b.admin.post('/api/v1/wallet/campaigns', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(res.json().error)).toContain(field);
    }
    expect((await a.admin.get(`/api/v1/wallet/campaigns`)).json().items.every((c: { name: string }) => !['Spring sale', 'Later'].includes(c.name))).toBe(true);
  });
});
