import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTx } from '../../src/db/tx.js';
import { enqueue, getJob } from '../../src/jobs/queue.js';
import { Scheduler } from '../../src/jobs/scheduler.js';
import { backoffMs, STALE_LOCK_MS, Worker, type JobHandler } from '../../src/jobs/worker.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => h.close());

describe(`jobs on ${ENGINE}`, () => {
  it('writes a job only when the surrounding transaction commits', async () => {
    const kept = await withTx(h.ctx.db, (tx) => enqueue(tx, { orgId: a.org.id, type: 'test.noop', runAt: h.clock.now() }));
    await expect(
      withTx(h.ctx.db, async (tx) => {
        await enqueue(tx, { orgId: a.org.id, type: 'test.rolledback', runAt: h.clock.now() });
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    const rows = await h.ctx.db.selectFrom('jobs').select(['id', 'type']).where('org_id', '=', a.org.id).execute();
    expect(rows.map((r) => r.type)).toContain('test.noop');
    expect(rows.map((r) => r.type)).not.toContain('test.rolledback');
    expect(kept).not.toBeNull();
  });

  it('retries with exponential backoff and dead-letters after max attempts', async () => {
    let calls = 0;
    const handlers: Record<string, JobHandler> = {
      'test.flaky': async () => {
        calls++;
        throw new Error(`boom ${calls}`);
      },
    };
    const worker = new Worker(h.ctx, { handlers });
    const id = (await enqueue(h.ctx.db, { orgId: a.org.id, type: 'test.flaky', maxAttempts: 3, runAt: h.clock.now() }))!;
    await worker.runOnce();
    let job = (await getJob(h.ctx.db, a.org.id, id))!;
    expect(job.status).toBe('queued');
    expect(job.attempts).toBe(1);
    const delay = job.run_at.getTime() - h.clock.now().getTime();
    expect(delay).toBeGreaterThanOrEqual(1500);
    expect(delay).toBeLessThanOrEqual(2500);
    // Not due yet: nothing runs.
    expect(await worker.runOnce()).toBe(0);
    h.clock.advance(10_000);
    await worker.runOnce();
    h.clock.advance(60_000);
    await worker.runOnce();
    job = (await getJob(h.ctx.db, a.org.id, id))!;
    expect(job.status).toBe('dead');
    expect(job.attempts).toBe(3);
    expect(job.last_error).toBe('boom 3');
    expect(calls).toBe(3);
    expect(backoffMs(10, () => 0.5)).toBe(1024_000);
    expect(backoffMs(20, () => 0.5)).toBe(3600_000);
  });

  it('never lets two workers run the same job', async () => {
    const seen = new Map<string, number>();
    const handlers: Record<string, JobHandler> = {
      'test.count': async (_ctx, job) => {
        seen.set(job.id, (seen.get(job.id) ?? 0) + 1);
        await new Promise((r) => setTimeout(r, 2));
      },
    };
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) ids.push((await enqueue(h.ctx.db, { orgId: a.org.id, type: 'test.count', runAt: h.clock.now() }))!);
    const w1 = new Worker(h.ctx, { handlers, batchSize: 5 });
    const w2 = new Worker(h.ctx, { handlers, batchSize: 5 });
    const w3 = new Worker(h.ctx, { handlers, batchSize: 5 });
    await Promise.all([w1.drain(), w2.drain(), w3.drain()]);
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const done = await h.ctx.db.selectFrom('jobs').select('id').where('type', '=', 'test.count').where('status', '=', 'done').execute();
    expect(done).toHaveLength(60);
  });

  it('schedules one periodic job per organization and period, however many schedulers tick', async () => {
    const schedules = [{ jobType: 'test.periodic', everyMs: 3600_000 }];
    const s1 = new Scheduler(h.ctx, schedules, 0);
    const s2 = new Scheduler(h.ctx, schedules, 0);
    await Promise.all([s1.tick(true), s2.tick(true), s1.tick(true)]);
    const count = async () =>
      (await h.ctx.db.selectFrom('jobs').select('id').where('type', '=', 'test.periodic').where('org_id', '=', a.org.id).execute()).length;
    expect(await count()).toBe(1);
    h.clock.advance(3600_000);
    await s2.tick(true);
    expect(await count()).toBe(2);
  });

  it('runs a job that outlasts the stale-lock age once: its worker keeps renewing the lock', async () => {
    let calls = 0;
    let release: () => void = () => {};
    const released = new Promise<void>((r) => (release = r));
    const handlers: Record<string, JobHandler> = {
      'test.long': async () => {
        calls++;
        await released;
      },
    };
    const first = new Worker(h.ctx, { handlers, heartbeatMs: 20 });
    const second = new Worker(h.ctx, { handlers, heartbeatMs: 20 });
    const id = (await enqueue(h.ctx.db, { orgId: a.org.id, type: 'test.long', runAt: h.clock.now() }))!;
    const running = first.runOnce();
    await expect.poll(() => calls).toBe(1);
    // Longer than the stale-lock age passes while the handler still runs...
    h.clock.advance(STALE_LOCK_MS + 60_000);
    await expect.poll(async () => (await getJob(h.ctx.db, a.org.id, id))!.locked_at!.getTime()).toBe(h.clock.now().getTime());
    // ...and another worker neither requeues nor runs it (other due jobs of this file may run).
    await second.runOnce();
    expect(calls).toBe(1);
    expect(await getJob(h.ctx.db, a.org.id, id)).toMatchObject({ status: 'running', locked_by: first.id, attempts: 1 });
    release();
    await running;
    const job = (await getJob(h.ctx.db, a.org.id, id))!;
    expect(job.status).toBe('done');
    expect(job.attempts).toBe(1);
    expect(calls).toBe(1);
  });

  it('queues again a running job whose worker stopped renewing its lock', async () => {
    const id = (await enqueue(h.ctx.db, { orgId: a.org.id, type: 'test.abandoned', runAt: h.clock.now() }))!;
    let calls = 0;
    const handlers: Record<string, JobHandler> = { 'test.abandoned': async () => void calls++ };
    // A worker that claimed it and died: the row says running, locked by nobody alive.
    await h.ctx.db.updateTable('jobs').set({ status: 'running', locked_at: h.clock.now(), locked_by: 'worker-gone', attempts: 1 }).where('org_id', '=', a.org.id).where('id', '=', id).execute();
    const worker = new Worker(h.ctx, { handlers });
    await worker.runOnce();
    expect(calls).toBe(0);
    h.clock.advance(STALE_LOCK_MS + 1000);
    await worker.runOnce();
    expect(calls).toBe(1);
    expect((await getJob(h.ctx.db, a.org.id, id))!.status).toBe('done');
  });

  it('reports progress and stores the result', async () => {
    const worker = new Worker(h.ctx, {
      handlers: {
        'test.progress': async (_ctx, _job, helpers) => {
          await helpers.progress({ done: 1, total: 2 });
          return { ok: true };
        },
      },
    });
    const id = (await enqueue(h.ctx.db, { orgId: a.org.id, type: 'test.progress', runAt: h.clock.now() }))!;
    await worker.drain();
    const job = (await getJob(h.ctx.db, a.org.id, id))!;
    expect(job.status).toBe('done');
    expect(job.progress).toEqual({ done: 1, total: 2 });
    expect(job.result).toEqual({ ok: true });
  });
});
