import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

interface Activity {
  items: { type: string; summary: string; payload: Record<string, unknown> }[];
}

/** Every timeline row of the customer as stored (summary and payload), lower-cased. */
async function storedTimeline(customerId: string): Promise<string> {
  const rows = await sql<{ t: string }>`select lower(summary || ' ' || payload::text) as t from activity_events where org_id = ${a.org.id} and customer_id = ${customerId}`.execute(h.ctx.db);
  expect(rows.rows.length).toBeGreaterThan(2);
  return rows.rows.map((r) => r.t).join('\n');
}

describe(`profile edits in the timeline keep old and new values, and the erasure removes them, on ${ENGINE}`, () => {
  it('records "from" and "to" for each personal field a staff edit or a store sync changes', async () => {
    const created = await a.admin.request('POST', '/api/v1/customers', { externalId: 'pcv-1', email: 'ingrid.ostvold@pcv.example', firstName: 'Ingrid', lastName: 'Ostvold', phone: '+4790011223', birthday: '1990-03-03', accountState: 'registered' });
    expect(created.statusCode).toBe(201);
    const id = created.json<{ id: string }>().id;

    const edit = await a.admin.request('PATCH', `/api/v1/customers/${id}`, { birthday: '1990-03-05', anniversary: '2015-06-20' });
    expect(edit.statusCode).toBe(200);
    const sync = await a.api.request('POST', '/api/v1/customers', { externalId: 'pcv-1', email: 'ingrid.o@pcv-new.example', lastName: 'Ostvold-Berg' });
    expect(sync.statusCode).toBe(200);
    const removed = await a.admin.request('PATCH', `/api/v1/customers/${id}`, { phone: null });
    expect(removed.statusCode).toBe(200);

    const timeline = (await a.admin.request('GET', `/api/v1/customers/${id}/activity?types=customer.updated`)).json<Activity>();
    const values = timeline.items.map((e) => e.payload.values);
    expect(values).toEqual([
      { phone: { from: '+4790011223', to: null } },
      { email: { from: 'ingrid.ostvold@pcv.example', to: 'ingrid.o@pcv-new.example' }, last_name: { from: 'Ostvold', to: 'Ostvold-Berg' } },
      { birthday: { from: '1990-03-03', to: '1990-03-05' }, anniversary: { from: null, to: '2015-06-20' } },
    ]);
    // The summaries name the fields only; the values live in the payload.
    for (const e of timeline.items) expect(e.summary).not.toMatch(/1990|2015|pcv|Ostvold|\+47/);
  });

  it('leaves no old or new personal value in any timeline row of the customer after the erasure', async () => {
    const personal = ['amaia.etxeberria@pcv.example', 'amaia.e@pcv-other.example', 'Amaia', 'Amaiane', 'Etxeberria', 'Etxebarria', '+34600111222', '+34600999888', '1988-11-02', '1988-11-20', '2012-09-09', '2013-09-09'];
    const created = await a.admin.request('POST', '/api/v1/customers', { externalId: 'pcv-2', email: personal[0], firstName: personal[2], lastName: personal[4], phone: personal[6], birthday: personal[8], anniversary: personal[10], accountState: 'registered' });
    const id = created.json<{ id: string }>().id;
    expect((await a.admin.request('PATCH', `/api/v1/customers/${id}`, { birthday: personal[9], anniversary: personal[11], phone: personal[7] })).statusCode).toBe(200);
    expect((await a.api.request('POST', '/api/v1/customers', { externalId: 'pcv-2', email: personal[1], firstName: personal[3], lastName: personal[5] })).statusCode).toBe(200);

    const before = await storedTimeline(id);
    // The test can fail: every value is in the timeline before the erasure.
    expect(personal.filter((v) => !before.includes(v.toLowerCase()))).toEqual([]);

    const erase = await a.admin.request('POST', `/api/v1/customers/${id}/anonymize`, { confirmEmail: personal[1] });
    expect(erase.statusCode).toBe(200);
    const after = await storedTimeline(id);
    expect(personal.filter((v) => after.includes(v.toLowerCase()))).toEqual([]);
    // The timeline still says what was edited, without the values.
    const timeline = (await a.admin.request('GET', `/api/v1/customers/${id}/activity?types=customer.updated`)).json<Activity>();
    expect(timeline.items.map((e) => e.payload.fields)).toEqual([
      ['email', 'first_name', 'last_name'],
      ['phone', 'birthday', 'anniversary'],
    ]);
    expect(timeline.items.every((e) => e.payload.values === undefined)).toBe(true);
  });
});
