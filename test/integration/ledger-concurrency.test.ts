import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, balances, createCustomer } from '../helpers/factories.js';

let h: Harness;
let a: OrgFixture;
let base: string;
let auth: Record<string, string>;

beforeAll(async () => {
  h = await createHarness({ poolSize: 20 });
  a = await createOrgFixture(h);
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  auth = { ...a.api.headers, 'content-type': 'application/json' };
});
afterAll(async () => {
  expect((await verifyLedger(h.ctx.db, a.org.id)).mismatches).toEqual([]);
  await h.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, { method: 'POST', headers: { ...auth, ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe(`ledger under concurrency on ${ENGINE} (real HTTP)`, () => {
  it('50 simultaneous deductions of 10 from 200 points: exactly 20 succeed, the rest 409, balance 0', async () => {
    const c = await createCustomer(a.api);
    expect((await adjust(a.api, c.id, 'add', 200)).statusCode).toBe(201);
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        post(`/api/v1/customers/${c.id}/points/adjustments`, { direction: 'deduct', points: 10, reason: 'race' }),
      ),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(20);
    expect(statuses.filter((s) => s === 409)).toHaveLength(30);
    expect(statuses.filter((s) => s >= 500)).toHaveLength(0);
    for (const r of results.filter((x) => x.status === 409)) expect((r.body.error as { code: string }).code).toBe('POINTS_INSUFFICIENT');
    expect((await balances(a.api, c.id)).active).toBe(0);
  });

  it('the same order 20 times at once: one order, one earning', async () => {
    const c = await createCustomer(a.api);
    const body = { externalId: '820982911946154508', customerId: c.id, total: { amount: '99.99', currency: 'USD' } };
    const results = await Promise.all(Array.from({ length: 20 }, () => post('/api/v1/orders', body)));
    expect(results.filter((r) => r.status >= 500)).toHaveLength(0);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    const orders = await h.ctx.db.selectFrom('orders').select('id').where('org_id', '=', a.org.id).where('external_id', '=', body.externalId).execute();
    expect(orders).toHaveLength(1);
    const earns = await h.ctx.db.selectFrom('points_entries').select('points').where('org_id', '=', a.org.id).where('customer_id', '=', c.id).execute();
    expect(earns).toEqual([{ points: 99 }]);
    expect((await balances(a.api, c.id)).active).toBe(99);
  });

  it('the same Idempotency-Key 10 times at once applies once', async () => {
    const c = await createCustomer(a.api);
    const key = { 'idempotency-key': `adj-${c.id}` };
    const results = await Promise.all(
      Array.from({ length: 10 }, () => post(`/api/v1/customers/${c.id}/points/adjustments`, { direction: 'add', points: 7, reason: 'once' }, key)),
    );
    expect(results.filter((r) => r.status >= 500)).toHaveLength(0);
    expect(results.filter((r) => r.status === 201).length).toBeGreaterThanOrEqual(1);
    for (const r of results.filter((x) => x.status !== 201)) {
      expect(r.status).toBe(409);
      expect((r.body.error as { code: string }).code).toBe('IDEMPOTENCY_REQUEST_IN_PROGRESS');
    }
    const replay = await post(`/api/v1/customers/${c.id}/points/adjustments`, { direction: 'add', points: 7, reason: 'once' }, key);
    expect(replay.status).toBe(201);
    expect((await balances(a.api, c.id)).active).toBe(7);
  });

  it('mixed adds, deductions, orders and refunds on one customer stay consistent', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 100);
    const orderIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const o = await post('/api/v1/orders', { externalId: `mix-${c.id}-${i}`, customerId: c.id, total: { amount: '40.00', currency: 'USD' } });
      orderIds.push(o.body.id as string);
    }
    const ops = [
      ...Array.from({ length: 15 }, () => post(`/api/v1/customers/${c.id}/points/adjustments`, { direction: 'deduct', points: 9, reason: 'mix' })),
      ...Array.from({ length: 10 }, () => post(`/api/v1/customers/${c.id}/points/adjustments`, { direction: 'add', points: 3, reason: 'mix' })),
      ...orderIds.map((id) => post(`/api/v1/orders/${id}/refunds`, { amount: { amount: '20.00', currency: 'USD' } })),
      ...orderIds.map((id) => post(`/api/v1/orders/${id}/cancel`, {})),
    ];
    const results = await Promise.all(ops);
    expect(results.filter((r) => r.status >= 500)).toEqual([]);
    const b = await balances(a.api, c.id);
    expect(b.active).toBeGreaterThanOrEqual(0);
    expect(b.earned - b.redeemed - b.expired - b.reversed + b.adjusted).toBe(b.active + b.pending);
  });
});
