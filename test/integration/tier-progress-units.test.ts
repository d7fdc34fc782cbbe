import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/modules/imports/csv-parse.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { adjust, createCustomer, order } from '../helpers/factories.js';
import { profile, setupTiers, timeline } from '../helpers/customer-ops-factories.js';
import { createHarness, createOrgFixture, ENGINE, type Client, type Harness, type OrgFixture } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  expect((await verifyLedger(h.ctx.db, null)).mismatches).toEqual([]);
  await h.close();
});

/** Tier progress of one customer wherever the API shows it: profile, grid, CSV export. */
async function progressEverywhere(f: OrgFixture, customerId: string, email: string) {
  const p = await profile(f.api, customerId);
  const grid = await f.api.get(`/api/v1/customers?search=${encodeURIComponent(email)}`);
  expect(grid.statusCode, grid.body).toBe(200);
  const row = (grid.json().items as { id: string; tierProgress: unknown }[]).find((r) => r.id === customerId);
  const csv = await f.api.get('/api/v1/customers/export.csv');
  expect(csv.statusCode).toBe(200);
  const [header, ...lines] = [...parseCsv(csv.body)].map((r) => r.cells);
  const line = lines.find((cells) => cells[header!.indexOf('id')] === customerId)!;
  return { profile: p.tier?.progress, missing: p.tier?.next?.missing, grid: row?.tierProgress, csv: line[header!.indexOf('tierProgress')] };
}

function uploadTiers(c: Client, csv: string, dryRun: boolean) {
  const boundary = '----patron-tier-units';
  const body =
    `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\ntiers\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="dryRun"\r\n\r\n${dryRun}\r\n` +
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="tiers.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
  return c.request('POST', '/api/v1/imports', Buffer.from(body, 'utf8'), { 'content-type': `multipart/form-data; boundary=${boundary}` });
}

describe(`tier progress has one representation per basis, on ${ENGINE}`, () => {
  it('amount spent: the decimal money string in the profile, grid, CSV, thresholds, PUT .../tier, import and timeline', async () => {
    const f = await createOrgFixture(h);
    const ids = await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, [
      { name: 'Silver', threshold: '100.00' },
      { name: 'Gold', threshold: '500.00' },
    ]);
    expect((await f.api.get('/api/v1/tiers')).json().items.map((t: { threshold: unknown }) => t.threshold)).toEqual(['100.00', '500.00']);
    const c = await createCustomer(f.api);
    expect((await order(f.api, c.id, '110.50')).statusCode).toBe(201);
    expect(await progressEverywhere(f, c.id, c.email)).toEqual({ profile: '110.50', missing: '389.50', grid: '110.50', csv: '110.50' });

    // Money is never a JSON number, so minor units cannot be mistaken for an amount.
    for (const [url, body, field] of [
      [`/api/v1/customers/${c.id}/tier`, { tierId: ids.Gold, tierProgress: 25000 }, 'tierProgress'],
      ['/api/v1/tiers', { name: 'Platinum', threshold: 100000 }, 'threshold'],
      [`/api/v1/tiers/${ids.Gold}`, { threshold: 600 }, 'threshold'],
    ] as const) {
      const res = url.endsWith('/tier') ? await f.admin.put(url, body) : url.endsWith('/tiers') ? await f.admin.post(url, body) : await f.admin.patch(url, body);
      expect(res.statusCode, `${url} ${res.body}`).toBe(400);
      expect(res.json().error.message).toMatch(new RegExp(`^${field}: must be an amount in USD as a decimal string such as "500.00"`));
    }
    expect((await f.admin.put(`/api/v1/customers/${c.id}/tier`, { tierId: ids.Gold, tierProgress: '250.5' })).statusCode).toBe(200);
    expect(await progressEverywhere(f, c.id, c.email)).toEqual({ profile: '250.50', missing: undefined, grid: '250.50', csv: '250.50' });
    expect((await timeline(h, f.org.id, c.id)).find((e) => e.type === 'tier.progress_set')?.payload).toMatchObject({ previousProgress: '110.50', progress: '250.50' });

    // A CSV import uses the same text; a dry run reports a value of the wrong form per row.
    const bad = (await uploadTiers(f.api, `customerId,tier,tierProgress\n${c.id},Gold,300.005\n`, true)).json();
    expect(bad).toMatchObject({ rowsValid: 0 });
    expect(bad.errors).toEqual([expect.objectContaining({ row: 2, column: 'tierProgress', problem: expect.stringContaining('USD allows at most 2 decimal places') })]);
    const run = await uploadTiers(f.api, `customerId,tier,tierProgress\n${c.id},Gold,300.00\n`, false);
    expect(run.statusCode, run.body).toBe(202);
    await h.worker.drain();
    expect((await f.api.get(`/api/v1/imports/${run.json().id}`)).json()).toMatchObject({ status: 'done', rowsApplied: 1, errors: [] });
    expect(await progressEverywhere(f, c.id, c.email)).toEqual({ profile: '300.00', missing: undefined, grid: '300.00', csv: '300.00' });
  });

  it('points and orders: integers everywhere, and a string is refused in JSON', async () => {
    const f = await createOrgFixture(h);
    const refused = await f.admin.put('/api/v1/tiers/settings', { basis: 'points_earned', window: 'lifetime', graceDays: 0 });
    expect(refused.statusCode).toBe(200);
    const asText = await f.admin.post('/api/v1/tiers', { name: 'Silver', threshold: '1000' });
    expect(asText.statusCode).toBe(400);
    expect(asText.json().error.message).toBe('threshold: must be a whole number of points as a JSON integer, such as 1000 (the tier basis is points_earned)');
    expect((await f.admin.post('/api/v1/tiers', { name: 'Silver', threshold: 12.5 })).statusCode).toBe(400);
    const silver = await f.admin.post('/api/v1/tiers', { name: 'Silver', threshold: 1000 });
    expect(silver.statusCode, silver.body).toBe(201);
    expect(silver.json().threshold).toBe(1000);
    const gold = (await f.admin.post('/api/v1/tiers', { name: 'Gold', threshold: 5000 })).json();

    const c = await createCustomer(f.api);
    await adjust(f.api, c.id, 'add', 1200, { countsTowardTier: true });
    expect(await progressEverywhere(f, c.id, c.email)).toEqual({ profile: 1200, missing: 3800, grid: 1200, csv: '1200' });
    expect((await f.admin.put(`/api/v1/customers/${c.id}/tier`, { tierId: gold.id, tierProgress: '4000' })).statusCode).toBe(400);
    expect((await f.admin.put(`/api/v1/customers/${c.id}/tier`, { tierId: gold.id, tierProgress: 4000 })).statusCode).toBe(200);
    expect(await progressEverywhere(f, c.id, c.email)).toEqual({ profile: 4000, missing: undefined, grid: 4000, csv: '4000' });
    const dry = (await uploadTiers(f.api, `customerId,tier,tierProgress\n${c.id},Gold,4000.50\n`, true)).json();
    expect(dry.errors).toEqual([expect.objectContaining({ column: 'tierProgress', problem: expect.stringContaining('whole number of points') })]);
  });

  it('a currency without minor units shows whole amounts, and the OpenAPI document describes the representation', async () => {
    const f = await createOrgFixture(h, { currency: 'JPY' });
    await setupTiers(f, { basis: 'amount_spent', window: 'lifetime', graceDays: 0 }, [{ name: 'Silver', threshold: '5000' }]);
    const c = await createCustomer(f.api);
    expect((await f.api.post('/api/v1/orders', { externalId: `jp-${c.id}`, customerId: c.id, total: { amount: '6200', currency: 'JPY' } })).statusCode).toBe(201);
    expect(await progressEverywhere(f, c.id, c.email)).toMatchObject({ profile: '6200', grid: '6200', csv: '6200' });

    const doc = (await h.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const text = JSON.stringify(doc);
    expect(text).not.toMatch(/minor (currency )?units/i);
    const gridProgress = doc.components.schemas.CustomerGridRow.properties.tierProgress;
    expect(gridProgress.anyOf.map((s: { type: string }) => s.type).sort()).toEqual(['integer', 'string']);
    expect(gridProgress.description).toContain('amount_spent');
    const profileProgress = doc.components.schemas.Customer.properties.tier.anyOf.find((s: { type: string }) => s.type === 'object').properties.progress;
    expect(profileProgress.anyOf.map((s: { type: string }) => s.type).sort()).toEqual(['integer', 'string']);
  });
});
