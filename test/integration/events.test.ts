import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR, type AppContext } from '../../src/context.js';
import { withTx } from '../../src/db/tx.js';
import { CATALOG, EVENT_TYPES } from '../../src/events/catalog.js';
import { OutboxDispatcher } from '../../src/events/dispatcher.js';
import { emit, EventSchemaError } from '../../src/events/emit.js';
import { buildEventRegistry } from '../../src/events/registry.js';
import { reaction, type DomainEvent, type OutboxConsumer, type StoredEvent } from '../../src/events/types.js';
import { MODULES } from '../../src/modules/index.js';
import { adjustPoints } from '../../src/modules/points/points.service.js';
import { createCustomer } from '../helpers/factories.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  await h.close();
});

/** A context whose registry has the real modules' reactions and only the test's consumers (and extra reactions). */
function contextWith(extra: { consumers?: OutboxConsumer[]; reactions?: ReturnType<typeof reaction>[] }): AppContext {
  const modules = MODULES.map(({ consumers: _shipped, ...m }) => m);
  return { ...h.ctx, events: buildEventRegistry([...modules, { name: 'test', ...extra }]) };
}

async function outboxOf(customerId: string, type: string) {
  const rows = await h.ctx.db.selectFrom('outbound_events').selectAll().where('org_id', '=', a.org.id).where('type', '=', type).orderBy('id').execute();
  return rows.filter((r) => (r.payload as Record<string, unknown>).customerId === customerId);
}

async function deliveries(eventId: string) {
  return h.ctx.db.selectFrom('outbound_deliveries').selectAll().where('org_id', '=', a.org.id).where('event_id', '=', eventId).orderBy('consumer').execute();
}

const add = (ctx: AppContext, customerId: string, points: number) => adjustPoints(ctx, a.org.id, customerId, { direction: 'add', points, reason: 'events test' }, SYSTEM_ACTOR);

describe(`domain events on ${ENGINE}`, () => {
  it('every catalog event has a version, a one-line description and a payload schema', () => {
    expect(EVENT_TYPES.length).toBeGreaterThan(20);
    for (const type of EVENT_TYPES) {
      const d = CATALOG[type];
      expect(d.version, type).toBeGreaterThanOrEqual(1);
      expect(d.description, type).toMatch(/^[A-Z].*\.$/);
      expect(d.description.includes('\n'), type).toBe(false);
    }
  });

  it('docs/events.md lists exactly the catalog, with versions and descriptions', () => {
    const doc = readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| `([a-z_.]+)` \| (\d+) \| (.+) \|$/gm)].map((m) => [m[1], Number(m[2]), m[3]]);
    expect(rows).toEqual(EVENT_TYPES.map((t) => [t, CATALOG[t].version, CATALOG[t].description]));
  });

  it('publishes the catalog as the webhooks of the OpenAPI document', async () => {
    const doc = (await h.app.inject('/api/openapi.json')).json();
    expect(Object.keys(doc.webhooks).sort()).toEqual([...EVENT_TYPES].sort());
    const body = doc.webhooks['coupon.used'].post.requestBody.content['application/json'].schema;
    expect(body.properties.type.const).toBe('coupon.used');
    expect(body.required).toEqual(['type', 'timestamp', 'data']);
    expect(Object.keys(body.properties.data.properties).sort()).toEqual(['couponId', 'customerId', 'orderId']);
  });

  it('refuses a payload that does not match the catalog, and the causing transaction writes nothing', async () => {
    const c = await createCustomer(a.api);
    const bad = [
      { type: 'coupon.used', orgId: a.org.id, payload: { customerId: c.id, couponId: 'x' } },
      { type: 'coupon.expired', orgId: a.org.id, payload: { customerId: c.id, couponId: 'x', email: 'someone@example.com' } },
      { type: 'order.counted', orgId: a.org.id, payload: { orderId: 'o', customerId: c.id, value: 12.5 } },
      { type: 'no.such_event', orgId: a.org.id, payload: {} },
    ] as unknown as DomainEvent[];
    for (const event of bad) {
      const run = withTx(h.ctx.db, async (tx) => {
        await emit(tx, h.ctx, event, { actor: SYSTEM_ACTOR, at: h.clock.now() });
      });
      await expect(run).rejects.toBeInstanceOf(EventSchemaError);
    }
    await expect(withTx(h.ctx.db, (tx) => emit(tx, h.ctx, bad[0]!, { actor: SYSTEM_ACTOR, at: h.clock.now() }))).rejects.toThrow(/coupon\.used.*orderId/);
    const written = await h.ctx.db.selectFrom('outbound_events').select('id').where('org_id', '=', a.org.id).where('type', 'in', ['coupon.used', 'coupon.expired', 'order.counted']).execute();
    expect(written).toEqual([]);
  });

  it('the ledger announces each entry through the catalog; with no consumer the event is logged as delivered', async () => {
    const c = await createCustomer(a.api);
    const { entry } = await add(contextWith({}), c.id, 40);
    const [event] = await outboxOf(c.id, 'points.adjusted');
    expect(event).toMatchObject({ version: 1, delivered_at: h.clock.now() });
    expect(event!.payload).toEqual({
      customerId: c.id,
      entryId: entry.id,
      points: 40,
      kind: 'manual_add',
      countsTowardTier: false,
      sourceType: null,
      sourceId: null,
      orderId: null,
      direction: 'add',
    });
    expect(await deliveries(event!.id)).toEqual([]);
  });

  it('a failing in-transaction reaction rolls back its cause: no entry, no balance change, no event', async () => {
    const c = await createCustomer(a.api);
    const ctx = contextWith({
      reactions: [
        reaction('points.adjusted', 'test.refuse-big-credits', async (_tx, _ctx, e) => {
          if (e.payload.points > 100) throw new Error('refused by reaction');
        }),
      ],
    });
    await add(ctx, c.id, 10);
    await expect(add(ctx, c.id, 500)).rejects.toThrow('refused by reaction');
    const profile = (await a.api.get(`/api/v1/customers/${c.id}`)).json();
    expect(profile.balances.active).toBe(10);
    const entries = await h.ctx.db.selectFrom('points_entries').select('points').where('org_id', '=', a.org.id).where('customer_id', '=', c.id).execute();
    expect(entries.map((e) => e.points)).toEqual([10]);
    expect((await outboxOf(c.id, 'points.adjusted')).map((e) => (e.payload as { points: number }).points)).toEqual([10]);
  });

  it('each consumer has its own delivery state: one failing retries with backoff and dead-letters, the other is unaffected', async () => {
    const c = await createCustomer(a.api);
    const received: string[] = [];
    let flakyFailures = 2;
    const good: OutboxConsumer = { name: 'good', events: ['points.adjusted'], deliver: async (e) => void received.push(e.id) };
    const flaky: OutboxConsumer = {
      name: 'flaky',
      events: '*',
      backoffMs: (n) => n * 60_000,
      deliver: async () => {
        if (flakyFailures-- > 0) throw new Error('endpoint answered 503');
      },
    };
    const broken: OutboxConsumer = {
      name: 'broken',
      events: ['points.adjusted'],
      maxAttempts: 2,
      backoffMs: () => 1000,
      deliver: async () => {
        throw new Error('always down');
      },
    };
    const ctx = contextWith({ consumers: [good, flaky, broken] });
    const dispatcher = new OutboxDispatcher(ctx);
    await add(ctx, c.id, 25);
    const [event] = await outboxOf(c.id, 'points.adjusted');
    expect(event!.delivered_at).toBeNull();
    expect((await deliveries(event!.id)).map((d) => [d.consumer, d.status, d.attempts])).toEqual([
      ['broken', 'pending', 0],
      ['flaky', 'pending', 0],
      ['good', 'pending', 0],
    ]);

    await dispatcher.drain();
    expect(received).toEqual([event!.id]);
    let state = await deliveries(event!.id);
    expect(state.map((d) => [d.consumer, d.status, d.attempts, d.last_error])).toEqual([
      ['broken', 'pending', 1, 'always down'],
      ['flaky', 'pending', 1, 'endpoint answered 503'],
      ['good', 'delivered', 1, null],
    ]);
    const flakyState = state.find((d) => d.consumer === 'flaky')!;
    expect(flakyState.next_attempt_at.getTime()).toBe(h.clock.now().getTime() + 60_000);

    // Not due yet: nothing is attempted again.
    expect(await dispatcher.drain()).toBe(0);
    h.clock.advance(60_000);
    await dispatcher.drain();
    state = await deliveries(event!.id);
    expect(state.map((d) => [d.consumer, d.status, d.attempts])).toEqual([
      ['broken', 'dead', 2],
      ['flaky', 'pending', 2],
      ['good', 'delivered', 1],
    ]);
    expect(state.find((d) => d.consumer === 'flaky')!.next_attempt_at.getTime()).toBe(h.clock.now().getTime() + 120_000);
    h.clock.advance(120_000);
    await dispatcher.drain();
    state = await deliveries(event!.id);
    expect(state.map((d) => [d.consumer, d.status, d.attempts])).toEqual([
      ['broken', 'dead', 2],
      ['flaky', 'delivered', 3],
      ['good', 'delivered', 1],
    ]);
    expect(received).toEqual([event!.id]);
    const [done] = await outboxOf(c.id, 'points.adjusted');
    expect(done!.delivered_at).toEqual(h.clock.now());
  });

  it('delivers one customer\'s events in order to each consumer: a later event waits for an earlier retry', async () => {
    const c = await createCustomer(a.api);
    const other = await createCustomer(a.api);
    const seen: { consumer: string; customerId: string; points: number }[] = [];
    let failFirst = true;
    const record = (name: string, fail: boolean): OutboxConsumer => ({
      name,
      events: ['points.adjusted'],
      backoffMs: () => 1000,
      deliver: async (e: StoredEvent) => {
        if (fail && failFirst) {
          failFirst = false;
          throw new Error('first try fails');
        }
        const p = e.payload as { customerId: string; points: number };
        seen.push({ consumer: name, customerId: p.customerId, points: p.points });
      },
    });
    const ctx = contextWith({ consumers: [record('in-order', true), record('steady', false)] });
    await add(ctx, c.id, 1);
    await add(ctx, c.id, 2);
    await add(ctx, other.id, 3);
    const dispatcher = new OutboxDispatcher(ctx);
    await dispatcher.drain();
    // The first event to "in-order" failed: its second event for the same customer waits; another customer's goes through.
    expect(seen.filter((s) => s.consumer === 'in-order').map((s) => s.points)).toEqual([3]);
    expect(seen.filter((s) => s.consumer === 'steady' && s.customerId === c.id).map((s) => s.points)).toEqual([1, 2]);
    expect(seen.filter((s) => s.consumer === 'steady' && s.customerId === other.id).map((s) => s.points)).toEqual([3]);
    h.clock.advance(1000);
    await dispatcher.drain();
    expect(seen.filter((s) => s.consumer === 'in-order').map((s) => s.points)).toEqual([3, 1, 2]);
  });

  it('a consumer with nothing to do in an organization settles its deliveries there without being called, so they never delay another organization', async () => {
    const b = await createOrgFixture(h);
    const idleCustomer = await createCustomer(b.api);
    const c = await createCustomer(a.api);
    const delivered: string[] = [];
    const asked: string[][] = [];
    // Active in both when b's events are written; b's endpoint (say) is gone by the time they are sent.
    const activeIn = new Set([a.org.id, b.org.id]);
    const consumer: OutboxConsumer = {
      name: 'only-in-a',
      events: ['points.adjusted'],
      activeOrgs: async (_ctx, orgIds) => {
        asked.push([...orgIds]);
        return new Set(orgIds.filter((id) => activeIn.has(id)));
      },
      deliver: async (e: StoredEvent) => {
        delivered.push(e.orgId);
      },
    };
    const ctx = contextWith({ consumers: [consumer] });
    const addIn = (orgId: string, customerId: string) =>
      adjustPoints(ctx, orgId, customerId, { direction: 'add', points: 1, reason: 'events test' }, SYSTEM_ACTOR);
    for (let i = 0; i < 12; i++) await addIn(b.org.id, idleCustomer.id);
    await addIn(a.org.id, c.id);
    activeIn.delete(b.org.id);
    asked.length = 0;
    const dispatcher = new OutboxDispatcher(ctx, { batchSize: 5 });
    await dispatcher.drain();
    expect(delivered).toEqual([a.org.id]);
    // Asked once per claimed batch, about the organizations in that batch only.
    expect(asked.length).toBeGreaterThanOrEqual(3);
    for (const orgs of asked) expect(new Set(orgs).size).toBe(orgs.length);
    const rows = await h.ctx.db
      .selectFrom('outbound_deliveries')
      .innerJoin('outbound_events', (j) => j.onRef('outbound_events.org_id', '=', 'outbound_deliveries.org_id').onRef('outbound_events.id', '=', 'outbound_deliveries.event_id'))
      .select(['outbound_deliveries.status', 'outbound_deliveries.attempts', 'outbound_events.delivered_at'])
      .where('outbound_deliveries.consumer', '=', 'only-in-a')
      .where('outbound_deliveries.org_id', '=', b.org.id)
      .execute();
    expect(rows).toHaveLength(12);
    for (const r of rows) {
      expect(r.status).toBe('delivered');
      expect(r.delivered_at).not.toBeNull();
    }
    expect(await dispatcher.drain()).toBe(0);
  });

  it('writes no delivery for a consumer with nothing to do in the organization, and logs such an event as delivered at once', async () => {
    const b = await createOrgFixture(h);
    const idleCustomer = await createCustomer(b.api);
    const c = await createCustomer(a.api);
    const consumer: OutboxConsumer = {
      name: 'only-in-a-at-write',
      events: ['points.adjusted'],
      activeOrgs: async (_ctx, orgIds) => new Set(orgIds.filter((id) => id === a.org.id)),
      deliver: async () => {},
    };
    const ctx = contextWith({ consumers: [consumer] });
    await adjustPoints(ctx, b.org.id, idleCustomer.id, { direction: 'add', points: 1, reason: 'events test' }, SYSTEM_ACTOR);
    await adjustPoints(ctx, a.org.id, c.id, { direction: 'add', points: 1, reason: 'events test' }, SYSTEM_ACTOR);
    const written = await h.ctx.db
      .selectFrom('outbound_events')
      .leftJoin('outbound_deliveries', (j) => j.onRef('outbound_events.org_id', '=', 'outbound_deliveries.org_id').onRef('outbound_events.id', '=', 'outbound_deliveries.event_id'))
      .select(['outbound_events.org_id', 'outbound_events.delivered_at', 'outbound_deliveries.consumer'])
      .where('outbound_events.org_id', 'in', [a.org.id, b.org.id])
      .where('outbound_events.type', '=', 'points.adjusted')
      .where((eb) => eb.or([eb('outbound_events.payload', '@>', JSON.stringify({ customerId: idleCustomer.id })), eb('outbound_events.payload', '@>', JSON.stringify({ customerId: c.id }))]))
      .execute();
    expect(written.find((r) => r.org_id === b.org.id)).toMatchObject({ consumer: null, delivered_at: expect.any(Date) });
    expect(written.find((r) => r.org_id === a.org.id)).toMatchObject({ consumer: 'only-in-a-at-write', delivered_at: null });
  });

  it('a running dispatcher picks up a committed event on its notification, long before its next poll', async () => {
    const c = await createCustomer(a.api);
    let resolve!: (e: StoredEvent) => void;
    const arrived = new Promise<StoredEvent>((r) => (resolve = r));
    const ctx = contextWith({ consumers: [{ name: 'prompt', events: ['points.adjusted'], deliver: async (e) => resolve(e) }] });
    const dispatcher = new OutboxDispatcher(ctx, { pollMs: 60_000 });
    dispatcher.start();
    try {
      // Let the dispatcher finish its first look and start listening.
      await new Promise((r) => setTimeout(r, 300));
      await add(ctx, c.id, 7);
      const timeout = new Promise<null>((r) => setTimeout(() => r(null), 30_000));
      const e = await Promise.race([arrived, timeout]);
      expect(e?.type).toBe('points.adjusted');
      expect((e?.payload as { customerId: string }).customerId).toBe(c.id);
    } finally {
      await dispatcher.stop();
    }
  });
});
