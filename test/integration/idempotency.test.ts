import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, balances, createCustomer } from '../helpers/factories.js';

// Idempotency-Key: the claim, the request's writes and its stored reply commit in one
// transaction (see idempotency-crash.test.ts for the same promise across kill -9).
let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  await h.close();
});

const adjustUrl = (id: string) => `/api/v1/customers/${id}/points/adjustments`;

describe(`Idempotency-Key on ${ENGINE}`, () => {
  it('replays the first reply byte for byte, with its status and content type', async () => {
    const c = await createCustomer(a.api);
    const key = { 'idempotency-key': `bytes-${c.id}` };
    const body = { direction: 'add', points: 12, reason: 'goodwill', customerMessage: 'Sorry for the delay' };
    const first = await a.api.post(adjustUrl(c.id), body, key);
    expect(first.statusCode).toBe(201);
    const again = await a.api.post(adjustUrl(c.id), body, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.headers['content-type']).toBe(first.headers['content-type']);
    expect(again.body).toBe(first.body);
    expect((await balances(a.api, c.id)).active).toBe(12);
  });

  it('runs a key sent many times at once exactly once, and every sender gets its reply', async () => {
    const c = await createCustomer(a.api);
    const key = { 'idempotency-key': `burst-${c.id}` };
    const body = { direction: 'add', points: 5, reason: 'burst' };
    const results = await Promise.all(Array.from({ length: 8 }, () => a.api.post(adjustUrl(c.id), body, key)));
    expect(results.map((r) => r.statusCode)).toEqual(Array(8).fill(201));
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect((await balances(a.api, c.id)).active).toBe(5);
    const entries = await h.ctx.db.selectFrom('points_entries').select('points').where('org_id', '=', a.org.id).where('customer_id', '=', c.id).execute();
    expect(entries).toEqual([{ points: 5 }]);
  });

  it('stores a refusal as the answer to its key, having changed nothing', async () => {
    const c = await createCustomer(a.api);
    await adjust(a.api, c.id, 'add', 10);
    const key = { 'idempotency-key': `refused-${c.id}` };
    const body = { direction: 'deduct', points: 50, reason: 'too much' };
    const first = await a.api.post(adjustUrl(c.id), body, key);
    expect(first.statusCode).toBe(409);
    expect(first.json().error.code).toBe('POINTS_INSUFFICIENT');
    const again = await a.api.post(adjustUrl(c.id), body, key);
    expect(again.body).toBe(first.body);
    expect(again.statusCode).toBe(409);
    expect((await balances(a.api, c.id)).active).toBe(10);
  });

  it('keeps a request whose own code handles a failed statement working under a key', async () => {
    const filter = {};
    expect((await a.api.post('/api/v1/segments', { name: 'VIPs', filter })).statusCode).toBe(201);
    const key = { 'idempotency-key': 'segment-dup-1' };
    const dup = await a.api.post('/api/v1/segments', { name: 'VIPs', filter }, key);
    expect(dup.statusCode).toBe(409);
    const replay = await a.api.post('/api/v1/segments', { name: 'VIPs', filter }, key);
    expect(replay.body).toBe(dup.body);
    // Then a write in the same scope after a handled failure still commits.
    const ok = await a.api.post('/api/v1/segments', { name: 'Regulars', filter }, { 'idempotency-key': 'segment-ok-1' });
    expect(ok.statusCode).toBe(201);
    const list = await a.api.get('/api/v1/segments');
    expect((list.json() as { items: { name: string }[] }).items.map((s) => s.name).sort()).toEqual(['Regulars', 'VIPs']);
  });

  it('refuses the same key with a different body, and keeps keys per organization', async () => {
    const b = await createOrgFixture(h);
    const c = await createCustomer(a.api);
    const cb = await createCustomer(b.api);
    const key = { 'idempotency-key': 'shared-key-1' };
    expect((await a.api.post(adjustUrl(c.id), { direction: 'add', points: 3, reason: 'x' }, key)).statusCode).toBe(201);
    const other = await a.api.post(adjustUrl(c.id), { direction: 'add', points: 4, reason: 'x' }, key);
    expect(other.statusCode).toBe(409);
    expect(other.json().error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await b.api.post(adjustUrl(cb.id), { direction: 'add', points: 3, reason: 'x' }, key)).statusCode).toBe(201);
    expect((await balances(a.api, c.id)).active).toBe(3);
    expect((await balances(b.api, cb.id)).active).toBe(3);
  });

  it('keeps a reply that carries a secret encrypted at rest, and replays it', async () => {
    const key = { 'idempotency-key': 'api-key-create-1' };
    const body = { name: 'till', scopes: ['customers:read'] };
    const first = await a.admin.post('/api/v1/api-keys', body, key);
    expect(first.statusCode).toBe(201);
    const secret = (first.json() as { secret: string }).secret;
    const stored = await h.ctx.db.selectFrom('idempotency_keys').select('response_raw').where('org_id', '=', a.org.id).where('key', '=', 'api-key-create-1').executeTakeFirstOrThrow();
    expect(stored.response_raw).not.toContain(secret);
    expect(stored.response_raw).not.toContain('till');
    const again = await a.admin.post('/api/v1/api-keys', body, key);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });
});
