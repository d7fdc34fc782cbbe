import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../../src/jobs/queue.js';
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
