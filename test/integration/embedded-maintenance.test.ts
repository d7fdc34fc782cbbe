import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYZE_EVERY_MS, EmbeddedMaintenance, VACUUM_EVERY_MS } from '../../src/db/embedded-maintenance.js';
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

/** The planner's idea of the customers table's size (what `analyze` records). */
async function plannedCustomers(): Promise<number> {
  const r = await sql<{ n: number }>`select reltuples::int8 as n from pg_class where relname = 'customers' and relkind = 'r'`.execute(h.ctx.db);
  return Number(r.rows[0]!.n);
}
async function customers(): Promise<number> {
  return Number((await h.ctx.db.selectFrom('customers').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}
async function insertCustomers(prefix: string, n: number) {
  await sql`insert into customers (org_id, id, email, created_at, updated_at)
    select ${a.org.id}, ${prefix} || g, ${prefix} || g || '@example.com', now(), now() from generate_series(1, ${n}::int) g`.execute(h.ctx.db);
}

describe(`embedded database maintenance on ${ENGINE}`, () => {
  it.runIf(ENGINE === 'pglite')('analyzes on the first tick and every ten minutes, and vacuums every table once a day', async () => {
    const m = new EmbeddedMaintenance(h.ctx.database, h.clock, h.ctx.logger);
    await insertCustomers('em-a-', 3000);
    expect(await m.tick()).toEqual({ analyzed: true, vacuumed: 0 });
    expect(await plannedCustomers()).toBe(await customers());

    // Nothing again until ten minutes have passed: the planner keeps the old size meanwhile.
    await insertCustomers('em-b-', 2000);
    h.clock.advance(ANALYZE_EVERY_MS - 1000);
    expect(await m.tick()).toEqual({ analyzed: false, vacuumed: 0 });
    expect(await plannedCustomers()).toBe((await customers()) - 2000);
    h.clock.advance(1000);
    expect(await m.tick()).toEqual({ analyzed: true, vacuumed: 0 });
    expect(await plannedCustomers()).toBe(await customers());

    h.clock.advance(VACUUM_EVERY_MS);
    const tables = await sql<{ n: number }>`select count(*)::int8 as n from pg_tables where schemaname = 'public'`.execute(h.ctx.db);
    const done = await m.tick();
    expect(done).toEqual({ analyzed: true, vacuumed: Number(tables.rows[0]!.n) });
    const vacuumed = await sql<{ t: Date | null }>`select last_vacuum as t from pg_stat_user_tables where relname = 'customers'`.execute(h.ctx.db);
    expect(vacuumed.rows[0]!.t).not.toBeNull();
  });

  it.runIf(ENGINE === 'postgres')('leaves PostgreSQL to its autovacuum', async () => {
    const m = new EmbeddedMaintenance(h.ctx.database, h.clock, h.ctx.logger);
    h.clock.advance(VACUUM_EVERY_MS * 2);
    expect(await m.tick()).toEqual({ analyzed: false, vacuumed: 0 });
  });

  it('keeps the grid sort copy when customers are removed', async () => {
    await insertCustomers('em-d-', 3);
    await sql`delete from customers where org_id = ${a.org.id} and id like 'em-d-%'`.execute(h.ctx.db);
    const left = await h.ctx.db.selectFrom('customer_balances').select('customer_id').where('org_id', '=', a.org.id).where('customer_id', 'like', 'em-d-%').execute();
    expect(left).toEqual([]);
  });
});
