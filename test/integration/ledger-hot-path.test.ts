import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../../src/context.js';
import { withTx } from '../../src/db/tx.js';
import { adjustOnce, adjustPoints } from '../../src/modules/points/index.js';
import { groupingStats } from '../../src/modules/points/points.group.js';
import { verifyLedger } from '../../src/modules/points/points.verify.js';
import { getProgram } from '../../src/modules/program/index.js';
import { createHarness, createOrgFixture, ENGINE, type Harness, type OrgFixture } from '../helpers/harness.js';
import { adjust, balances, createCustomer } from '../helpers/factories.js';

let h: Harness;
let a: OrgFixture;
const staff = { type: 'user' as const, id: 'u1', name: 'Staff' };

beforeAll(async () => {
  h = await createHarness();
  a = await createOrgFixture(h);
});
afterAll(async () => {
  expect((await verifyLedger(h.ctx.db, a.org.id)).mismatches).toEqual([]);
  await h.close();
});

/** The context with every query its database sends recorded. */
function recording(): { ctx: AppContext; queries: string[] } {
  const queries: string[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: (args) => {
      queries.push(h.ctx.db.getExecutor().compileQuery(args.node, args.queryId).sql);
      return args.node;
    },
    transformResult: (args) => Promise.resolve(args.result),
  };
  return { ctx: { ...h.ctx, db: h.ctx.db.withPlugin(plugin) }, queries };
}

describe(`the ledger's hot path on ${ENGINE}`, () => {
  it('an adjustment is one statement after the program settings: no transaction, no separate lock or check', async () => {
    const c = await createCustomer(a.api);
    const { ctx, queries } = recording();
    const r = await adjustPoints(ctx, a.org.id, c.id, { direction: 'add', points: 40, reason: 'goodwill' }, staff);
    expect(r.balances.active).toBe(40);
    expect(r.entry.balanceAfter).toBe(40);
    const ledger = queries.filter((q) => !q.includes('program_settings'));
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toContain('patron_ledger_change(');
    queries.length = 0;
    await expect(adjustPoints(ctx, a.org.id, c.id, { direction: 'deduct', points: 41, reason: 'too much' }, staff)).rejects.toMatchObject({
      code: 'POINTS_INSUFFICIENT',
      message: 'The customer has 40 active points; 41 are needed (1 more)',
    });
    expect(queries.filter((q) => !q.includes('program_settings'))).toHaveLength(1);
    // The timeline shows the balance after the change, filled in by the database.
    const timeline = await h.ctx.db
      .selectFrom('activity_events')
      .select('payload')
      .where('org_id', '=', a.org.id)
      .where('customer_id', '=', c.id)
      .where('type', '=', 'points.adjusted')
      .execute();
    expect(timeline.map((t) => (t.payload as { balanceAfter: number }).balanceAfter)).toEqual([40]);
  });

  it('refusals come back with the same codes and messages, and write nothing', async () => {
    await expect(adjustPoints(h.ctx, a.org.id, 'no-such-customer', { direction: 'add', points: 1, reason: 'x' }, staff)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const left = await createCustomer(a.api);
    await adjust(a.api, left.id, 'add', 5);
    expect((await a.api.post(`/api/v1/customers/${left.id}/membership`, { type: 'left' })).statusCode).toBe(200);
    await expect(adjustPoints(h.ctx, a.org.id, left.id, { direction: 'add', points: 1, reason: 'x' }, staff)).rejects.toMatchObject({ code: 'RULE_REFUSED' });
    await expect(adjustPoints(h.ctx, a.org.id, left.id, { direction: 'deduct', points: 1, reason: 'x' }, staff)).rejects.toMatchObject({ code: 'MEMBERSHIP_RESTRICTED' });
    expect(await balances(a.api, left.id)).toMatchObject({ active: 5 });
    const entries = await h.ctx.db.selectFrom('points_entries').select('id').where('org_id', '=', a.org.id).where('customer_id', '=', left.id).execute();
    expect(entries).toHaveLength(1);
  });

  it('a unique key applies once, and names the other customer it was used for', async () => {
    const [c, d] = [await createCustomer(a.api), await createCustomer(a.api)];
    const program = await getProgram(h.ctx.db, a.org.id);
    const base = { orgId: a.org.id, direction: 'add' as const, points: 9, reason: 'import', uniqueKey: `import:hot:${c.id}`, actor: staff, at: new Date() };
    const first = await adjustOnce(h.ctx.db, h.ctx, program, { ...base, customerId: c.id });
    const again = await adjustOnce(h.ctx.db, h.ctx, program, { ...base, customerId: c.id });
    expect(first.applied).toBe(true);
    expect(again).toMatchObject({ applied: false, entry: { id: first.entry.id } });
    await expect(adjustOnce(h.ctx.db, h.ctx, program, { ...base, customerId: d.id })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await balances(a.api, c.id)).active).toBe(9);
  });

  it('updates the customer row in place (a HOT update, no index entry) and keeps the grid sort row equal', async () => {
    const c = await createCustomer(a.api);
    const program = await getProgram(h.ctx.db, a.org.id);
    // Counters of this backend not yet reported (they may include earlier transactions): compare within one.
    const stats = await withTx(h.ctx.db, async (tx) => {
      const read = async () =>
        (
          await sql<{ n_tup_upd: number; n_tup_hot_upd: number }>`
            select n_tup_upd, n_tup_hot_upd from pg_stat_xact_user_tables where relid = 'customers'::regclass`.execute(tx)
        ).rows[0]!;
      const before = await read();
      await adjustOnce(tx, h.ctx, program, { orgId: a.org.id, customerId: c.id, direction: 'add', points: 12, reason: 'hot', actor: staff, at: new Date() });
      const after = await read();
      return { n_tup_upd: after.n_tup_upd - before.n_tup_upd, n_tup_hot_upd: after.n_tup_hot_upd - before.n_tup_hot_upd };
    });
    expect(stats).toEqual({ n_tup_upd: 1, n_tup_hot_upd: 1 });
    const sortRow = await h.ctx.db.selectFrom('customer_balances').selectAll().where('org_id', '=', a.org.id).where('customer_id', '=', c.id).executeTakeFirstOrThrow();
    expect(sortRow.points_active).toBe(12);
    expect(sortRow.last_activity_at).not.toBeNull();
    const grid = await a.api.get('/api/v1/customers?sort=-points&limit=100');
    const items = grid.json().items as { id: string; points: number }[];
    expect(items.find((i) => i.id === c.id)?.points).toBe(12);
  });

  it('concurrent changes of one customer keep their own outcomes, and share statements on PostgreSQL', async () => {
    const c = await createCustomer(a.api);
    const before = groupingStats();
    const start = (await balances(a.api, c.id)).active;
    // 24 additions of 5 and 12 deductions of 20, all at once, plus one unique key sent twice.
    const sends = [
      ...Array.from({ length: 24 }, () => ({ direction: 'add' as const, points: 5 })),
      ...Array.from({ length: 12 }, () => ({ direction: 'deduct' as const, points: 20 })),
    ].map((x, i) => ({ ...x, i }));
    sends.sort((x, y) => ((x.i * 7) % 36) - ((y.i * 7) % 36));
    const results = await Promise.all(sends.map((x) => adjust(a.api, c.id, x.direction, x.points)));
    let expected = start;
    results.forEach((res, i) => {
      const x = sends[i]!;
      if (x.direction === 'add') {
        expect(res.statusCode, res.body).toBe(201);
        expected += 5;
      } else if (res.statusCode === 201) {
        expected -= 20;
      } else {
        expect(res.statusCode, res.body).toBe(409);
        expect(res.json().error.code).toBe('POINTS_INSUFFICIENT');
      }
    });
    // Each request was told the balance its own change left, as its entry records it.
    const rows = await h.ctx.db.selectFrom('points_entries').select(['id', 'balance_after']).where('org_id', '=', a.org.id).where('customer_id', '=', c.id).execute();
    const recorded = new Map(rows.map((r) => [r.id, r.balance_after]));
    const applied = results.filter((r) => r.statusCode === 201).map((r) => r.json().entry as { id: string; balanceAfter: number });
    expect(rows).toHaveLength(applied.length);
    for (const e of applied) expect(recorded.get(e.id)).toBe(e.balanceAfter);
    expect((await balances(a.api, c.id)).active).toBe(expected);
    expect(expected).toBeGreaterThanOrEqual(0);

    const key = `hot-${c.id}`;
    const program = await getProgram(h.ctx.db, a.org.id);
    const twice = await Promise.all([0, 1, 2].map(() => adjustOnce(h.ctx.db, h.ctx, program, { orgId: a.org.id, customerId: c.id, direction: 'add', points: 3, reason: 'once', uniqueKey: key, actor: staff, at: h.clock.now() })));
    expect(twice.filter((t) => t.applied)).toHaveLength(1);
    expect(new Set(twice.map((t) => t.entry.id)).size).toBe(1);
    expect((await balances(a.api, c.id)).active).toBe(expected + 3);
    if (ENGINE === 'postgres') {
      expect(groupingStats().grouped).toBeGreaterThan(before.grouped);
      const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(Number(/^patron_ledger_changes\{stat="grouped"\} (\d+)/m.exec(metrics)?.[1])).toBe(groupingStats().grouped);
    }
  });

  it('verification notices a grid sort row that differs from its customer', async () => {
    const c = await createCustomer(a.api);
    await sql`update customer_balances set points_active = 7 where org_id = ${a.org.id} and customer_id = ${c.id}`.execute(h.ctx.db);
    const report = await verifyLedger(h.ctx.db, a.org.id);
    expect(report.mismatches.map((m) => m.customerId)).toEqual([c.id]);
    expect(report.mismatches[0]!.problem).toContain('customer_balances: active 7');
    await sql`update customer_balances set points_active = 0 where org_id = ${a.org.id} and customer_id = ${c.id}`.execute(h.ctx.db);
  });
});
