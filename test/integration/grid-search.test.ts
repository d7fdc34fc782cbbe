import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';
import { gridCustomer } from '../helpers/grid-factories.js';
import { FOLD_FROM, foldSearch } from '../../src/modules/grid/search-fold.js';

let h: Harness;
let a: OrgFixture;
let b: OrgFixture;
const ids: Record<string, string> = {};
const external: Record<string, string> = {};

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
  b = await createOrgFixture(h);
  const add = async (key: string, firstName: string, lastName: string, email: string | null = null) => {
    const c = await gridCustomer(h, a.api, a.org.id, { firstName, lastName, email });
    ids[key] = c.id;
    external[key] = c.externalId;
  };
  await add('zoe', 'Zoë', 'Åberg');
  await add('muller', 'Jürgen', 'Müller');
  await add('strasse', 'Björn', 'Straße');
  await add('plain', 'Zoe', 'Plain', 'zoe.plain@shop.example');
  await add('other', 'Mark', 'Other');
  // Another organization's Zoë is never found.
  await gridCustomer(h, b.api, b.org.id, { firstName: 'Zoë', lastName: 'Åberg' });
});
afterAll(async () => {
  await h.close();
});

const found = async (search: string): Promise<string[]> => {
  const res = await a.api.get(`/api/v1/customers?limit=50&search=${encodeURIComponent(search)}`);
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json() as { items: { id: string }[]; total: { value: number; exact: boolean } };
  expect(body.total).toEqual({ value: body.items.length, exact: true });
  return body.items.map((r) => Object.entries(ids).find(([, v]) => v === r.id)?.[0] ?? r.id).sort();
};

describe(`accent-insensitive search and external ids on ${ENGINE}`, () => {
  it('finds accented names from the letters people type, and the other way round', async () => {
    expect(await found('Zoe')).toEqual(['plain', 'zoe']);
    expect(await found('zoë')).toEqual(['plain', 'zoe']);
    expect(await found('Muller')).toEqual(['muller']);
    expect(await found('MÜLLER')).toEqual(['muller']);
    expect(await found('aberg')).toEqual(['zoe']);
    expect(await found('strasse')).toEqual(['strasse']);
    expect(await found('Jurgen Mul')).toEqual(['muller']);
  });

  it('folds short (prefix) terms too', async () => {
    expect(await found('mu')).toEqual(['muller']);
    expect(await found('Å')).toEqual(['zoe']);
    expect(await found('bj')).toEqual(['strasse']);
  });

  it("finds a customer by the platform's customer id, whole or in part", async () => {
    expect(await found(external.muller!)).toEqual(['muller']);
    expect(await found(external.other!.slice(-6))).toEqual(['other']);
  });

  it('folds every listed letter in the database exactly as the search term is folded', async () => {
    const letters = [...FOLD_FROM, 'ß', 'æ', 'Æ', 'œ', 'Œ', 'A', 'z', '-', '7', 'Ж'];
    const r = await sql<{ folded: string[] }>`select array(select patron_fold(x) from unnest(${letters}::text[]) with ordinality as t(x, n) order by n) as folded`.execute(h.ctx.db);
    const inDb = r.rows[0]!.folded;
    // Letters the database's own lower() may leave alone (non-Latin in a C locale) are compared as the database sees them.
    letters.forEach((l, i) => {
      if (l !== 'Ж') expect([l, inDb[i]]).toEqual([l, foldSearch(l)]);
    });
    expect(foldSearch('Zoë Müller-Straße')).toBe('zoe muller-strasse');
  });

  it('serves substring and prefix searches from the folded indexes', async () => {
    const { searchCondition } = await import('../../src/modules/grid/grid.repo.js');
    const plan = (search: string, orgId: string | null) =>
      h.ctx.db.transaction().execute(async (tx) => {
        // A few rows: without this the planner rightly prefers reading the table.
        await sql`set local enable_seqscan = off`.execute(tx);
        let q = tx.selectFrom('customers').select('id').where(searchCondition(search));
        if (orgId) q = q.where('org_id', '=', orgId);
        const rows = await q.explain<{ 'QUERY PLAN': string }>();
        return rows.map((x) => x['QUERY PLAN']).join('\n');
      });
    expect(await plan('muller', null)).toContain('customers_search_trgm');
    expect(await plan('mu', a.org.id)).toMatch(/customers_(first|last)_name_prefix/);
  });
});
