import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../src/modules/imports/csv-parse.js';
import { createHarness, createOrgFixture, ENGINE, staffClient, type Harness, type OrgFixture } from '../helpers/harness.js';
import { gridCustomer, insertTier } from '../helpers/grid-factories.js';

let h: Harness;
let a: OrgFixture;

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  await h.close();
});

function rows(body: string): Record<string, string>[] {
  const [header, ...data] = [...parseCsv(body)].map((r) => r.cells);
  return data.map((cells) => Object.fromEntries(header!.map((k, i) => [k, cells[i] ?? ''])));
}

describe(`CSV export on ${ENGINE}`, () => {
  it('streams UTF-8 CSV with a header, neutralising formula-like cells and quoting commas, quotes and newlines', async () => {
    const evil = await gridCustomer(h, a.api, a.org.id, { firstName: '=HYPERLINK("http://evil.example","click")', lastName: '@SUM(A1)', phone: '+1 555 0100' });
    await h.ctx.db.updateTable('customers').set({ external_id: '-2+3', note_text: null }).where('org_id', '=', a.org.id).where('id', '=', evil.id).execute();
    const tabbed = await gridCustomer(h, a.api, a.org.id, { firstName: 'Tab', lastName: 'Carriage' });
    await h.ctx.db.updateTable('customers').set({ first_name: '\tcmd', last_name: '\rcalc' }).where('org_id', '=', a.org.id).where('id', '=', tabbed.id).execute();
    const quoted = await gridCustomer(h, a.api, a.org.id, { firstName: 'Zoë "Z"', lastName: 'Åström, Jr.' }, { points: -20 });
    await h.ctx.db.updateTable('customers').set({ last_name: 'line1\nline2', lifetime_value_minor: 123456 }).where('org_id', '=', a.org.id).where('id', '=', quoted.id).execute();

    const res = await a.api.get('/api/v1/customers/export.csv');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="customers-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.body.startsWith('\uFEFFid,externalId,firstName,lastName,email,phone,membershipType')).toBe(true);
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const byId = new Map(rows(res.body).map((r) => [r.id, r]));
    const e = byId.get(evil.id)!;
    expect(e.firstName).toBe(`'=HYPERLINK("http://evil.example","click")`);
    expect(e.lastName).toBe("'@SUM(A1)");
    expect(e.externalId).toBe("'-2+3");
    expect(e.phone).toBe("'+1 555 0100");
    const t = byId.get(tabbed.id)!;
    expect(t.firstName).toBe("'\tcmd");
    expect(t.lastName).toBe("'\rcalc");
    const q = byId.get(quoted.id)!;
    expect(q.firstName).toBe('Zoë "Z"');
    expect(q.lastName).toBe('line1\nline2');
    expect(q.points).toBe('-20');
    expect(q.lifetimeValue).toBe('1234.56');
    expect(q.currency).toBe('USD');
    expect(res.body).toContain('"Zoë ""Z"""');
  });

  it('honours the grid filters and leaves excluded customers out unless asked', async () => {
    const f = await createOrgFixture(h);
    const kept = await gridCustomer(h, f.api, f.org.id, { firstName: 'Kept' });
    const excluded = await gridCustomer(h, f.api, f.org.id, { firstName: 'Hidden' }, { excluded: true });
    const guest = await gridCustomer(h, f.api, f.org.id, { firstName: 'Guesty', accountState: 'guest' }, { membership: 'guest' });
    const ids = async (q: string) => rows((await f.api.get(`/api/v1/customers/export.csv${q}`)).body).map((r) => r.id).sort();
    expect(await ids('')).toEqual([kept.id, guest.id].sort());
    expect(await ids('?includeExcluded=true')).toEqual([kept.id, excluded.id, guest.id].sort());
    expect(await ids('?membership=guest')).toEqual([guest.id]);
    expect(await ids('?search=hidd&includeExcluded=true')).toEqual([excluded.id]);
    const seg = await f.api.post('/api/v1/segments', { name: 'Guests', filter: { membership: ['guest'] } });
    expect(await ids(`?segment=${seg.json().id}`)).toEqual([guest.id]);
    expect((await a.api.get(`/api/v1/customers/export.csv?segment=${seg.json().id}`)).statusCode).toBe(404);
  });

  it('names the file after the filter it holds', async () => {
    const f = await createOrgFixture(h);
    const gold = await insertTier(h, f.org.id, 'Gold Élite', 1000);
    await gridCustomer(h, f.api, f.org.id, { firstName: 'Zoë', lastName: 'Müller' }, { tierId: gold });
    const seg = (await f.api.post('/api/v1/segments', { name: 'VIP Guests!', filter: { membership: ['guest'] } })).json();
    const name = async (query: string) => {
      const res = await f.api.get(`/api/v1/customers/export.csv${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return /filename="([^"]+)"/.exec(String(res.headers['content-disposition']))![1]!.replace(/\d{4}-\d{2}-\d{2}/, 'DAY');
    };
    expect(await name('')).toBe('customers-DAY.csv');
    expect(await name('?includeExcluded=true')).toBe('customers-with-excluded-DAY.csv');
    expect(await name(`?membership=member,left&tier=${gold},none&search=${encodeURIComponent('Zoë M')}`)).toBe('customers-members-left-program_gold-elite-no-tier_search-zoe-m-DAY.csv');
    expect(await name('?activity=inactive&accountState=guest&excluded=true')).toBe('customers-inactive-30-days_guest-checkout_excluded-from-reports-DAY.csv');
    expect(await name(`?segment=${seg.id}`)).toBe('customers-segment-vip-guests-DAY.csv');
  });

  it('exports every row of a list larger than one batch exactly once', async () => {
    const f = await createOrgFixture(h);
    await sql`insert into customers (org_id, id, email, first_name, created_at, updated_at)
      select ${f.org.id}, 'exp-' || lpad(g::text, 6, '0'), 'exp' || g || '@example.com', 'Exp', now(), now() from generate_series(1, 4500) g`.execute(h.ctx.db);
    const res = await f.api.get('/api/v1/customers/export.csv');
    const got = rows(res.body).map((r) => r.id);
    expect(got.length).toBe(4500);
    expect(new Set(got).size).toBe(4500);
    expect(got[0]).toBe('exp-000001');
    expect(got[4499]).toBe('exp-004500');
  });

  it('requires data:export', async () => {
    const viewer = await staffClient(h, a.org.id, ['customers:read']);
    const res = await viewer.get('/api/v1/customers/export.csv');
    expect(res.statusCode).toBe(403);
    expect(res.json().error.details.permission).toBe('data:export');
    const marketing = await staffClient(h, a.org.id, ['marketing']);
    expect((await marketing.get('/api/v1/customers/export.csv')).statusCode).toBe(200);
  });
});
