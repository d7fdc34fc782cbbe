import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OutboxDispatcher } from '../../src/events/dispatcher.js';
import { deliveriesSettled, sendDue } from '../../src/modules/webhooks/index.js';
import { webhooksConsumer } from '../../src/modules/webhooks/webhooks.delivery.js';
import { adjust, createCustomer } from '../helpers/factories.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, unique, type Harness, type OrgFixture } from '../helpers/harness.js';
import { Receiver } from './webhooks-receiver.js';

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;
let rx: Receiver;

beforeAll(async () => {
  h = await createHarness();
  // The receiver listens on loopback: these tests allow private targets, except where they say otherwise.
  h.ctx.config.webhooksAllowPrivate = true;
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
  rx = await new Receiver().start();
});
afterEach(async () => {
  h.ctx.config.webhooksAllowPrivate = true;
  await deliveriesSettled();
});
afterAll(async () => {
  await deliveriesSettled();
  await rx.stop();
  await h.close();
});

/**
 * Registers an endpoint at a new receiver path trusting its secret (points adjustments
 * only, unless `events` says otherwise); returns the endpoint, its path and secret.
 */
async function endpoint(org: OrgFixture = a, body: Record<string, unknown> = {}) {
  const path = `/${unique('hook')}`;
  const res = await org.api.post('/api/v1/webhook-endpoints', { url: rx.url(path), description: 'test receiver', events: ['points.adjusted'], ...body });
  expect(res.statusCode, res.body).toBe(201);
  const { endpoint: ep, secret } = res.json();
  rx.trust(path, 'current', secret);
  return { id: ep.id as string, path, secret: secret as string, endpoint: ep };
}

/** Runs the outbox (fan-out) and waits for the sends it started. */
async function flush(): Promise<void> {
  await new OutboxDispatcher(h.ctx).drain();
  await deliveriesSettled();
}

async function log(org: OrgFixture, endpointId: string) {
  const res = await org.api.get(`/api/v1/webhook-endpoints/${endpointId}/deliveries`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as {
    id: string;
    eventId: string;
    eventType: string;
    status: string;
    attemptCount: number;
    nextAttemptAt: string | null;
    lastError: string | null;
    attempts: { attempt: number; outcome: string; responseStatus: number | null; responseExcerpt: string | null; error: string | null; durationMs: number; startedAt: string; manual: boolean }[];
  }[];
}

describe(`outbound webhooks on ${ENGINE}`, () => {
  it('registers, lists, changes and deletes endpoints; the secret is shown once and stored sealed', async () => {
    const { id, secret, endpoint: ep } = await endpoint(a, { events: ['points.adjusted', 'tier.changed', 'points.adjusted'] });
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(ep).toMatchObject({ events: ['points.adjusted', 'tier.changed'], enabled: true, disabledReason: null, description: 'test receiver' });

    const one = await a.api.get(`/api/v1/webhook-endpoints/${id}`);
    expect(one.statusCode).toBe(200);
    expect(one.body).not.toContain(secret);
    const list = await a.api.get('/api/v1/webhook-endpoints');
    expect(list.json().items.map((e: { id: string }) => e.id)).toContain(id);
    expect(list.body).not.toContain('whsec_');
    const row = await h.ctx.db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', a.org.id).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.secret_sealed).toMatch(/^sealed:v1:/);
    expect(row.secret_sealed).not.toContain(secret.slice(6, 20));

    const patched = await a.api.patch(`/api/v1/webhook-endpoints/${id}`, { events: ['*'], description: 'all events', enabled: false });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ events: ['*'], description: 'all events', enabled: false, disabledReason: expect.stringContaining('Disabled by') });
    const enabled = await a.api.patch(`/api/v1/webhook-endpoints/${id}`, { enabled: true });
    expect(enabled.json()).toMatchObject({ enabled: true, disabledReason: null });

    const deleted = await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
    expect(deleted.statusCode).toBe(200);
    expect((await a.api.get(`/api/v1/webhook-endpoints/${id}`)).statusCode).toBe(404);
  });

  it('refuses bad input with the field and what to do, and stores nothing', async () => {
    const before = (await a.api.get('/api/v1/webhook-endpoints')).json().items.length;
    const cases: [Record<string, unknown>, number, string, RegExp][] = [
      [{ url: rx.url('/x'), events: ['points.nope'] }, 400, 'events[0]', /not an event type/],
      [{ url: rx.url('/x'), events: [] }, 400, 'events', /at least one event type/],
      [{ url: rx.url('/x'), events: ['*', 'tier.changed'] }, 400, 'events', /either \["\*"\]/],
      [{ url: 'ftp://example.com/hook' }, 400, 'url', /only https \(or http\)/],
      [{ url: '/relative/path' }, 400, 'url', /absolute URL/],
      [{ url: 'https://user:pw@example.com/hook' }, 400, 'url', /user name or password/],
    ];
    for (const [body, status, field, message] of cases) {
      const res = await a.api.post('/api/v1/webhook-endpoints', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(status);
      expect(res.json().error.details.fields[0].field).toBe(field);
      expect(res.json().error.message).toMatch(message);
    }
    expect((await a.api.get('/api/v1/webhook-endpoints')).json().items.length).toBe(before);
  });

  it('refuses loopback, private and metadata URLs unless private targets are allowed (422 naming url)', async () => {
    h.ctx.config.webhooksAllowPrivate = false;
    for (const url of [rx.url('/private'), 'http://localhost:9/hook', 'http://169.254.169.254/latest/meta-data', 'http://[::1]/hook', 'http://10.0.0.8/hook']) {
      const res = await a.api.post('/api/v1/webhook-endpoints', { url });
      expect(res.statusCode, url).toBe(422);
      expect(res.json().error.details.field).toBe('url');
      expect(res.json().error.message).toMatch(/PATRON_WEBHOOKS_ALLOW_PRIVATE=true/);
    }
    h.ctx.config.webhooksAllowPrivate = true;
    const ok = await a.api.post('/api/v1/webhook-endpoints', { url: rx.url('/private') });
    expect(ok.statusCode).toBe(201);
    await a.api.delete(`/api/v1/webhook-endpoints/${ok.json().endpoint.id}`);
  });

  it('checks the address again when sending: a loopback endpoint gets nothing once private targets are refused', async () => {
    const { id, path } = await endpoint();
    const c = await createCustomer(a.api);
    h.ctx.config.webhooksAllowPrivate = false;
    expect((await adjust(a.api, c.id, 'add', 5)).statusCode).toBe(201);
    await flush();
    expect(rx.at(path)).toEqual([]);
    const [d] = await log(a, id);
    expect(d!.attempts[0]).toMatchObject({ outcome: 'failed', responseStatus: null, error: expect.stringContaining('loopback') });
    await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
  });

  it('writes webhook deliveries only while the organization has an enabled endpoint, whatever this process cached before', async () => {
    const org = await createOrgFixture(h);
    const c = await createCustomer(org.api);
    const webhookDeliveries = () =>
      h.ctx.db.selectFrom('outbound_deliveries').select('event_id').where('org_id', '=', org.org.id).where('consumer', '=', webhooksConsumer.name).execute();
    await adjust(org.api, c.id, 'add', 1);
    expect(await webhookDeliveries()).toHaveLength(0);
    const ep = await endpoint(org);
    await adjust(org.api, c.id, 'add', 2);
    expect(await webhookDeliveries()).toHaveLength(1);
    expect((await org.api.patch(`/api/v1/webhook-endpoints/${ep.id}`, { enabled: false })).statusCode).toBe(200);
    await adjust(org.api, c.id, 'add', 3);
    expect(await webhookDeliveries()).toHaveLength(1);
    expect((await org.api.patch(`/api/v1/webhook-endpoints/${ep.id}`, { enabled: true })).statusCode).toBe(200);
    await adjust(org.api, c.id, 'add', 4);
    expect(await webhookDeliveries()).toHaveLength(2);
    expect((await org.api.delete(`/api/v1/webhook-endpoints/${ep.id}`)).statusCode).toBeLessThan(300);
    await adjust(org.api, c.id, 'add', 5);
    expect(await webhookDeliveries()).toHaveLength(2);
  });

  it('needs settings:manage, and each organization sees only its own endpoints', async () => {
    const { id } = await endpoint(a);
    const support = await staffClient(h, a.org.id, ['customers:read', 'points:adjust']);
    expect((await support.get('/api/v1/webhook-endpoints')).statusCode).toBe(403);
    expect((await support.post('/api/v1/webhook-endpoints', { url: rx.url('/nope') })).statusCode).toBe(403);
    const settings = await staffClient(h, a.org.id, ['settings:manage']);
    expect((await settings.get(`/api/v1/webhook-endpoints/${id}`)).statusCode).toBe(200);

    expect((await b.api.get('/api/v1/webhook-endpoints')).json().items.map((e: { id: string }) => e.id)).not.toContain(id);
    for (const res of [
      await b.api.get(`/api/v1/webhook-endpoints/${id}`),
      await b.api.patch(`/api/v1/webhook-endpoints/${id}`, { enabled: false }),
      await b.api.post(`/api/v1/webhook-endpoints/${id}/rotate-secret`),
      await b.api.post(`/api/v1/webhook-endpoints/${id}/test`),
      await b.api.get(`/api/v1/webhook-endpoints/${id}/deliveries`),
      await b.api.delete(`/api/v1/webhook-endpoints/${id}`),
    ]) {
      expect(res.statusCode).toBe(404);
    }
    // Org B's events never reach org A's endpoint.
    const before = (await log(a, id)).length;
    const cb = await createCustomer(b.api);
    await adjust(b.api, cb.id, 'add', 3);
    await flush();
    expect((await log(a, id)).length).toBe(before);
    expect((await a.api.get(`/api/v1/webhook-endpoints/${id}`)).json().enabled).toBe(true);
    await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
  });

  it('delivers a points adjustment within 2 seconds, signed per Standard Webhooks, as { type, timestamp, data }', async () => {
    const { id, path } = await endpoint(a, { events: ['points.adjusted'] });
    const c = await createCustomer(a.api);
    const dispatcher = new OutboxDispatcher(h.ctx);
    dispatcher.start();
    try {
      await new Promise((r) => setTimeout(r, 300)); // the dispatcher is listening
      const started = Date.now();
      const res = await adjust(a.api, c.id, 'add', 120);
      expect(res.statusCode).toBe(201);
      const [got] = await rx.waitFor(path, 1, 10_000);
      const latency = got!.at - started;
      expect(latency).toBeLessThan(2000);
      expect(got!.verifiedWith).toEqual(['current']);
      expect(got!.headers['content-type']).toBe('application/json');
      const event = await h.ctx.db
        .selectFrom('outbound_events')
        .selectAll()
        .where('org_id', '=', a.org.id)
        .where('type', '=', 'points.adjusted')
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      expect(got!.headers['webhook-id']).toBe(event.id);
      expect(JSON.parse(got!.body)).toEqual({
        type: 'points.adjusted',
        timestamp: event.created_at.toISOString(),
        data: {
          customerId: c.id,
          entryId: res.json().entry.id,
          points: 120,
          kind: 'manual_add',
          countsTowardTier: false,
          sourceType: null,
          sourceId: null,
          orderId: null,
          direction: 'add',
        },
      });
      expect(got!.payload?.data.customerId).toBe(c.id);
    } finally {
      await dispatcher.stop();
      await deliveriesSettled();
    }
    const [d] = await log(a, id);
    expect(d).toMatchObject({ status: 'delivered', attemptCount: 1, eventType: 'points.adjusted' });
    expect(d!.attempts[0]).toMatchObject({ attempt: 1, outcome: 'delivered', responseStatus: 200, responseExcerpt: 'ok', manual: false });
    await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
  });

  it('retries a 500 on the schedule (through the retry job) until 200: three attempts in the log; a later event for the same customer waits', async () => {
    const { id, path } = await endpoint();
    const c = await createCustomer(a.api);
    const other = await createCustomer(a.api);
    const aboutC = (body: string) => body.includes(c.id);
    rx.script(path, { status: 500, body: 'database down', when: aboutC }, { status: 500, body: 'still down', when: aboutC });
    await adjust(a.api, c.id, 'add', 10);
    await flush();
    await adjust(a.api, c.id, 'add', 20);
    await adjust(a.api, other.id, 'add', 30);
    await flush();
    // The first message failed: the customer's second waits, the other customer's went through.
    const sent = () => rx.at(path).map((r) => [r.payload?.data.customerId, r.payload?.data.points]);
    expect(sent()).toEqual([
      [c.id, 10],
      [other.id, 30],
    ]);
    let [first] = (await log(a, id)).filter((d) => d.attempts.some((x) => x.responseStatus === 500));
    expect(first).toMatchObject({ status: 'pending', attemptCount: 1, lastError: 'The endpoint answered HTTP 500' });
    const wait1 = new Date(first!.nextAttemptAt!).getTime() - h.clock.now().getTime();
    expect(wait1).toBeGreaterThanOrEqual(8_000);
    expect(wait1).toBeLessThanOrEqual(12_000);

    h.clock.advance(wait1);
    await h.worker.drain();
    await deliveriesSettled();
    h.clock.advance(72_000);
    await h.worker.drain();
    await deliveriesSettled();
    expect(sent()).toEqual([
      [c.id, 10],
      [other.id, 30],
      [c.id, 10],
      [c.id, 10],
      [c.id, 20],
    ]);
    expect(new Set(rx.at(path).filter((r) => r.payload?.data.points === 10).map((r) => r.headers['webhook-id'])).size).toBe(1);
    expect(rx.at(path).every((r) => r.verifiedWith.includes('current'))).toBe(true);
    [first] = (await log(a, id)).filter((d) => d.id === first!.id);
    expect(first).toMatchObject({ status: 'delivered', attemptCount: 3, nextAttemptAt: null });
    expect(first!.attempts.map((x) => [x.attempt, x.outcome, x.responseStatus, x.responseExcerpt])).toEqual([
      [1, 'failed', 500, 'database down'],
      [2, 'failed', 500, 'still down'],
      [3, 'delivered', 200, 'ok'],
    ]);
    expect(first!.attempts.every((x) => x.durationMs >= 0 && !Number.isNaN(Date.parse(x.startedAt)))).toBe(true);
    const ep = (await a.api.get(`/api/v1/webhook-endpoints/${id}`)).json();
    expect(ep).toMatchObject({ enabled: true, failingSince: null, deliveries: { pending: 0, delivered: 3, failed: 0 } });
    await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
  });

  it('honours Retry-After on 429 and 503', async () => {
    const { id, path } = await endpoint();
    rx.script(path, { status: 429, headers: { 'retry-after': '120' } }, { status: 503, headers: { 'retry-after': '7' } });
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 1);
    await flush();
    const [d] = await log(a, id);
    expect(new Date(d!.nextAttemptAt!).getTime() - h.clock.now().getTime()).toBe(120_000);
    h.clock.advance(60_000);
    expect(await sendDue(h.ctx, { orgId: a.org.id })).toBe(0);
    expect(rx.at(path)).toHaveLength(1);
    h.clock.advance(60_000);
    expect(await sendDue(h.ctx, { orgId: a.org.id })).toBe(1);
    expect(rx.at(path)).toHaveLength(2);
    const [again] = await log(a, id);
    expect(new Date(again!.nextAttemptAt!).getTime() - h.clock.now().getTime()).toBe(7_000);
    h.clock.advance(7_000);
    await sendDue(h.ctx, { orgId: a.org.id });
    const [done] = await log(a, id);
    expect(done!.attempts.map((x) => x.responseStatus)).toEqual([429, 503, 200]);
    await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
  });

  it('410 disables the endpoint with a visible reason; nothing more is sent until it is enabled again', async () => {
    const { id, path } = await endpoint();
    rx.script(path, { status: 410, body: 'gone' });
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 1);
    await flush();
    const ep = (await a.api.get(`/api/v1/webhook-endpoints/${id}`)).json();
    expect(ep).toMatchObject({ enabled: false, disabledReason: expect.stringContaining('410 Gone') });
    const [d] = await log(a, id);
    expect(d).toMatchObject({ status: 'failed', nextAttemptAt: null });
    await adjust(a.api, c.id, 'add', 2);
    await flush();
    expect(rx.at(path)).toHaveLength(1);
    expect(await log(a, id)).toHaveLength(1); // a disabled endpoint receives no new events
    const redeliver = await a.api.post(`/api/v1/webhook-endpoints/${id}/deliveries/${d!.id}/redeliver`);
    expect(redeliver.statusCode).toBe(409);
    expect(redeliver.json().error.message).toMatch(/enable it/);

    expect((await a.api.patch(`/api/v1/webhook-endpoints/${id}`, { enabled: true })).json()).toMatchObject({ enabled: true, disabledReason: null });
    await adjust(a.api, c.id, 'add', 3);
    await flush();
    expect(rx.at(path).map((r) => r.payload?.data.points)).toEqual([1, 3]);
    await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
  });

  it('disables an endpoint whose deliveries failed for a day (test clock), and gives up on a delivery after its schedule', async () => {
    const { id, path } = await endpoint();
    rx.script(path, ...Array.from({ length: 20 }, () => ({ status: 500 })));
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 1);
    await flush();
    let ep = (await a.api.get(`/api/v1/webhook-endpoints/${id}`)).json();
    expect(ep).toMatchObject({ enabled: true, failingSince: h.clock.now().toISOString() });
    // Follow the schedule: seven retries over about a day.
    for (let i = 0; i < 7; i++) {
      const [d] = await log(a, id);
      h.clock.set(d!.nextAttemptAt!);
      expect(await sendDue(h.ctx, { orgId: a.org.id })).toBe(1);
    }
    const [d] = await log(a, id);
    expect(d!.attemptCount).toBe(8);
    expect(d!.status).toBe('failed');
    ep = (await a.api.get(`/api/v1/webhook-endpoints/${id}`)).json();
    const failingFor = h.clock.now().getTime() - Date.parse(ep.failingSince);
    expect(failingFor).toBeGreaterThan(18 * 3600_000);
    if (failingFor >= 24 * 3600_000) {
      expect(ep.enabled).toBe(false);
    } else {
      // Jitter ended the schedule a little before a full day: the next failure disables it.
      expect(ep.enabled).toBe(true);
      await adjust(a.api, c.id, 'add', 2);
      h.clock.set(new Date(Date.parse(ep.failingSince) + 24 * 3600_000));
      await flush();
      ep = (await a.api.get(`/api/v1/webhook-endpoints/${id}`)).json();
      expect(ep.enabled).toBe(false);
    }
    expect(ep.disabledReason).toMatch(/^Every delivery failed for 24 hours \(since .*\); last error: The endpoint answered HTTP 500/);
    await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
  });

  it('rotation: the old secret keeps signing alongside the new one for 24 hours', async () => {
    const { id, path, secret: oldSecret } = await endpoint(a, { events: ['points.adjusted'] });
    const rotated = await a.api.post(`/api/v1/webhook-endpoints/${id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { secret: newSecret, previousSecretExpiresAt } = rotated.json();
    expect(newSecret).not.toBe(oldSecret);
    expect(previousSecretExpiresAt).toBe(new Date(h.clock.now().getTime() + 24 * 3600_000).toISOString());
    rx.trust(path, 'old', oldSecret);
    rx.trust(path, 'new', newSecret);
    rx.trust(path, 'current', newSecret);
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 1);
    await flush();
    const [during] = rx.at(path);
    expect(during!.verifiedWith.sort()).toEqual(['current', 'new', 'old']);
    expect(String(during!.headers['webhook-signature']).split(' ')).toHaveLength(2);

    h.clock.advance(24 * 3600_000 + 1000);
    await adjust(a.api, c.id, 'add', 2);
    await flush();
    const after = rx.at(path)[1]!;
    expect(after.verifiedWith.sort()).toEqual(['current', 'new']);
    expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect((await a.api.get(`/api/v1/webhook-endpoints/${id}`)).json().previousSecretExpiresAt).toBeNull();
    await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
  });

  it('redelivers any delivery with the same webhook-id, and sends a test event; both appear in the log as manual attempts', async () => {
    const { id, path } = await endpoint();
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 4);
    await flush();
    const [d] = await log(a, id);
    expect(d!.status).toBe('delivered');
    const res = await a.api.post(`/api/v1/webhook-endpoints/${id}/deliveries/${d!.id}/redeliver`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ status: 'delivered', attemptCount: 2 });
    expect(res.json().attempts.map((x: { manual: boolean }) => x.manual)).toEqual([false, true]);
    const [first, second] = rx.at(path);
    expect(second!.headers['webhook-id']).toBe(first!.headers['webhook-id']);
    expect(second!.body).toBe(first!.body);
    expect(second!.verifiedWith).toEqual(['current']);

    rx.script(path, { status: 204 });
    const test = await a.api.post(`/api/v1/webhook-endpoints/${id}/test`);
    expect(test.statusCode, test.body).toBe(201);
    expect(test.json()).toMatchObject({ kind: 'test', eventType: 'webhook.test', status: 'delivered', attempts: [{ attempt: 1, responseStatus: 204, manual: true }] });
    const got = rx.at(path)[2]!;
    expect(got.verifiedWith).toEqual(['current']);
    expect(got.payload).toMatchObject({ type: 'webhook.test', data: { endpointId: id } });
    expect((await log(a, id)).map((x) => x.eventType)).toEqual(['webhook.test', 'points.adjusted']);
    expect((await a.api.get(`/api/v1/webhook-endpoints/${id}/deliveries/${d!.id}`)).json().attempts).toHaveLength(2);
    await a.api.delete(`/api/v1/webhook-endpoints/${id}`);
  });

  it('fans an event out once per endpoint however often the outbox hands it over, and only to subscribed endpoints', async () => {
    const all = await endpoint(a, { events: ['*'] });
    const tiers = await endpoint(a, { events: ['tier.changed'] });
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 6);
    await flush();
    const event = await h.ctx.db.selectFrom('outbound_events').selectAll().where('org_id', '=', a.org.id).where('type', '=', 'points.adjusted').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const stored = { id: event.id, orgId: a.org.id, type: 'points.adjusted' as const, version: 1, payload: event.payload as never, createdAt: event.created_at };
    await webhooksConsumer.deliver(stored, h.ctx);
    await webhooksConsumer.deliver(stored, h.ctx);
    await flush();
    expect(rx.at(all.path).map((r) => r.payload?.type)).toEqual(['customer.created', 'points.adjusted']);
    expect(rx.at(tiers.path)).toHaveLength(0);
    const rows = await h.ctx.db.selectFrom('webhook_deliveries').select('endpoint_id').where('org_id', '=', a.org.id).where('event_id', '=', event.id).execute();
    expect(rows.map((r) => r.endpoint_id)).toEqual([all.id]);
    await a.api.delete(`/api/v1/webhook-endpoints/${all.id}`);
    await a.api.delete(`/api/v1/webhook-endpoints/${tiers.id}`);
  });
});
