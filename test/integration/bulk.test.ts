import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { adjust, balances, createCustomer } from '../helpers/factories.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
});
afterAll(async () => {
  expect((await verifyLedger(h.ctx.db, null)).mismatches).toEqual([]);
  await h.close();
});

describe(`jobs API on ${ENGINE}`, () => {
  it('shows a job of the caller organization with status, progress and result; another organization gets 404', async () => {
    const id = (await enqueue(h.ctx.db, { orgId: a.org.id, type: 'test.unknown', payload: {}, runAt: h.clock.now(), maxAttempts: 1 }))!;
    const queued = await a.api.get(`/api/v1/jobs/${id}`);
    expect(queued.statusCode, queued.body).toBe(200);
    expect(queued.json()).toMatchObject({ id, type: 'test.unknown', status: 'queued', progress: null, result: null });
    expect((await b.api.get(`/api/v1/jobs/${id}`)).statusCode).toBe(404);
    await h.worker.drain();
    const dead = (await a.api.get(`/api/v1/jobs/${id}`)).json();
    expect(dead).toMatchObject({ status: 'dead', attempts: 1 });
    expect(dead.lastError).toContain('No handler');
    const noPerm = await staffClient(h, a.org.id, ['points:adjust']);
    const denied = await noPerm.get(`/api/v1/jobs/${id}`);
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.message).toContain('customers:read');
  });
});

const bulk = (f: OrgFixture, body: Record<string, unknown>) => f.api.post('/api/v1/customers/points/bulk', { reason: 'Goodwill', ...body });
async function finish(f: OrgFixture, jobId: string) {
  await h.worker.drain();
  const job = (await f.api.get(`/api/v1/jobs/${jobId}`)).json();
  expect(job.status, JSON.stringify(job)).toBe('done');
  return job;
}
async function outcomes(f: OrgFixture, jobId: string, q = '') {
  const items: { customerId: string; status: string; balanceAfter: number | null; code: string | null; message: string | null }[] = [];
  let cursor: string | null = null;
  do {
    const res = await f.api.get(`/api/v1/customers/points/bulk/${jobId}/outcomes?limit=2${q}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.statusCode, res.body).toBe(200);
    items.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  return items;
}

describe(`bulk points adjustment on ${ENGINE}`, () => {
  it('adds points to a selection as a job, with progress, a result and a per-customer report', async () => {
    const c1 = await createCustomer(a.api);
    const c2 = await createCustomer(a.api);
    await adjust(a.api, c2.id, 'add', 10);
    const other = await createCustomer(b.api);
    const res = await bulk(a, { ids: [c1.id, c2.id, c1.id, other.id], direction: 'add', points: 25, customerMessage: 'Thanks for your patience' });
    expect(res.statusCode, res.body).toBe(202);
    const { jobId } = res.json();
    expect(res.json().job).toMatchObject({ id: jobId, type: 'customers.points_bulk', status: 'queued' });
    const job = await finish(a, jobId);
    expect(job.progress).toEqual({ done: 3, total: 3 });
    expect(job.result).toMatchObject({ total: 3, ok: 2, refused: 1, refusedByCode: { NOT_FOUND: 1 }, notFound: [other.id] });
    const report = await outcomes(a, jobId);
    expect(report.map((o) => [o.customerId, o.status, o.balanceAfter]).sort()).toEqual([[c1.id, 'ok', 25], [c2.id, 'ok', 35]].sort());
    expect((await balances(a.api, c2.id)).active).toBe(35);
    expect((await balances(b.api, other.id)).active).toBe(0);
    const entries = (await a.api.get(`/api/v1/customers/${c1.id}/points/entries`)).json().items;
    expect(entries[0]).toMatchObject({ kind: 'manual_add', points: 25, reason: 'Goodwill', customerMessage: 'Thanks for your patience', source: { type: 'bulk_job', id: jobId } });
    const row = await h.ctx.db.selectFrom('points_entries').select('unique_key').where('id', '=', entries[0].id).executeTakeFirstOrThrow();
    expect(row.unique_key).toBe(`bulk:${jobId}:${c1.id}`);
    const timeline = await h.ctx.db.selectFrom('activity_events').selectAll().where('org_id', '=', a.org.id).where('customer_id', '=', c1.id).where('type', '=', 'points.adjusted').execute();
    expect(timeline).toHaveLength(1);
    expect(timeline[0]!.actor_type).toBe('api_key');
    expect((await b.api.get(`/api/v1/customers/points/bulk/${jobId}/outcomes`)).statusCode).toBe(404);
  });

  it('deducts for a filter, refusing customers whose balance is too low and going on with the others', async () => {
    const f = await createOrgFixture(h);
    const rich = await createCustomer(f.api, { lastName: 'Bulkdeduct' });
    const poor = await createCustomer(f.api, { lastName: 'Bulkdeduct' });
    const gone = await createCustomer(f.api, { lastName: 'Bulkdeduct' });
    const outside = await createCustomer(f.api, { lastName: 'Elsewhere' });
    await adjust(f.api, rich.id, 'add', 100);
    await adjust(f.api, poor.id, 'add', 10);
    await adjust(f.api, outside.id, 'add', 100);
    await h.ctx.db.updateTable('customers').set({ anonymized_at: h.clock.now() }).where('org_id', '=', f.org.id).where('id', '=', gone.id).execute();
    const { jobId } = (await bulk(f, { filter: { search: 'bulkdeduct' }, direction: 'deduct', points: 40 })).json();
    const job = await finish(f, jobId);
    expect(job.result).toMatchObject({ total: 3, ok: 1, refused: 2, refusedByCode: { POINTS_INSUFFICIENT: 1, CUSTOMER_ANONYMIZED: 1 } });
    const refused = await outcomes(f, jobId, '&status=refused');
    const poorOutcome = refused.find((o) => o.customerId === poor.id);
    expect(poorOutcome).toMatchObject({ status: 'refused', code: 'POINTS_INSUFFICIENT', balanceAfter: null });
    expect(poorOutcome!.message).toContain('10 active points');
    expect((await outcomes(f, jobId, '&status=ok')).map((o) => [o.customerId, o.balanceAfter])).toEqual([[rich.id, 60]]);
    expect((await balances(f.api, poor.id)).active).toBe(10);
    expect((await balances(f.api, outside.id)).active).toBe(100);
  });

  it('never applies twice for one job, even when the job runs again', async () => {
    const f = await createOrgFixture(h);
    const c = await createCustomer(f.api, { lastName: 'Twice' });
    const { jobId } = (await bulk(f, { ids: [c.id], direction: 'add', points: 7 })).json();
    await finish(f, jobId);
    // A retry after a crash: the outcome rows are gone, the ledger entry is not.
    await h.ctx.db.deleteFrom('bulk_outcomes').where('org_id', '=', f.org.id).where('job_id', '=', jobId).execute();
    await h.ctx.db.updateTable('jobs').set({ status: 'queued', run_at: h.clock.now() }).where('org_id', '=', f.org.id).where('id', '=', jobId).execute();
    const again = await finish(f, jobId);
    expect(again.result).toMatchObject({ ok: 1, refused: 0 });
    expect((await balances(f.api, c.id)).active).toBe(7);
    expect((await outcomes(f, jobId))[0]).toMatchObject({ status: 'ok', balanceAfter: 7 });
  });

  it('targets a segment as it was when the job was queued', async () => {
    const f = await createOrgFixture(h);
    const m = await createCustomer(f.api, { accountState: 'registered' });
    const g = await createCustomer(f.api, { accountState: 'guest' });
    const seg = (await f.api.post('/api/v1/segments', { name: 'Guests', filter: { membership: ['guest'] } })).json();
    const { jobId } = (await bulk(f, { segmentId: seg.id, direction: 'add', points: 5 })).json();
    await f.api.patch(`/api/v1/segments/${seg.id}`, { filter: { membership: ['member'] } });
    await finish(f, jobId);
    expect((await balances(f.api, g.id)).active).toBe(5);
    expect((await balances(f.api, m.id)).active).toBe(0);
  });

  it('refuses bad requests with 400 naming the field, unknown segments with 404, and needs points:adjust', async () => {
    const c = await createCustomer(a.api);
    const cases: [Record<string, unknown>, string][] = [
      [{ direction: 'add', points: 5 }, 'ids'],
      [{ ids: [c.id], filter: {}, direction: 'add', points: 5 }, 'ids'],
      [{ ids: [], direction: 'add', points: 5 }, 'ids'],
      [{ ids: ['nope'], direction: 'add', points: 5 }, 'ids.0'],
      [{ ids: [c.id], direction: 'add', points: 0 }, 'points'],
      [{ ids: [c.id], direction: 'sideways', points: 5 }, 'direction'],
      [{ ids: [c.id], direction: 'add', points: 5, reason: ' ' }, 'reason'],
      [{ filter: { membership: ['vip'] }, direction: 'add', points: 5 }, 'filter.membership.0'],
    ];
    for (const [body, field] of cases) {
      const res = await bulk(a, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.details.fields[0].field).toBe(field);
    }
    const seg = (await b.api.post('/api/v1/segments', { name: 'Theirs', filter: {} })).json();
    expect((await bulk(a, { segmentId: seg.id, direction: 'add', points: 5 })).statusCode).toBe(404);
    expect((await bulk(a, { filter: { segment: seg.id }, direction: 'add', points: 5 })).statusCode).toBe(404);
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    const denied = await viewer.post('/api/v1/customers/points/bulk', { ids: [c.id], direction: 'add', points: 5, reason: 'x' });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().error.details.permission).toBe('points:adjust');
  });
});
