import { sql, type Selectable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { AnalyticsSnapshotsTable } from './analytics.tables.js';

export type SnapshotRow = Selectable<AnalyticsSnapshotsTable>;

export interface CardFigures {
  total_customers: number;
  active_this_month: number;
  valued_customers: number;
  value_sum_minor: number;
  retention_base: number;
  retention_kept: number;
}

/**
 * Customer-originated activity since `since` (docs/grid.md, "Activity"): the customer placed
 * an order (not cancelled), redeemed points, or did a custom action, themselves or through
 * the store's integration. Staff actions (adjustments, manual rewards, imports, bulk
 * changes, tier or membership changes) and the scheduler (expiry, activation, birthday and
 * anniversary rewards) are not the customer's activity. A condition on `customers`.
 */
export function customerActiveSince(orgId: string, since: Date) {
  return sql<boolean>`(
    id in (select o.customer_id from orders o where o.org_id = ${orgId} and o.placed_at >= ${since} and o.status <> 'cancelled')
    or id in (select e.customer_id from points_entries e where e.org_id = ${orgId} and e.created_at >= ${since}
      and (e.actor_type = 'customer' or (e.actor_type = 'api_key' and (e.kind = 'redeem' or e.source_type = 'custom_action'))))
  )`;
}

/** One pass over the organization's customers that are not excluded from reports. */
export async function customerFigures(db: Executor, orgId: string, monthStart: Date) {
  const r = await db
    .selectFrom('customers')
    .select((eb) => [
      eb.fn.countAll<number>().as('total_customers'),
      sql<number>`count(*) filter (where ${customerActiveSince(orgId, monthStart)})`.as('active_this_month'),
      sql<number>`count(*) filter (where orders_count > 0)`.as('valued_customers'),
      sql<number>`coalesce(sum(lifetime_value_minor) filter (where orders_count > 0), 0)::int8`.as('value_sum_minor'),
    ])
    .where('org_id', '=', orgId)
    .where('excluded_from_reports', '=', false)
    .executeTakeFirstOrThrow();
  return {
    total_customers: Number(r.total_customers),
    active_this_month: Number(r.active_this_month),
    valued_customers: Number(r.valued_customers),
    value_sum_minor: Number(r.value_sum_minor),
  };
}

/** Customers with an order in [from, split) and, of them, those with an order in [split, to). */
export async function retentionFigures(db: Executor, orgId: string, from: Date, split: Date, to: Date) {
  const r = await db
    .selectFrom((eb) =>
      eb
        .selectFrom('orders as o')
        .innerJoin('customers as c', (j) => j.onRef('c.org_id', '=', 'o.org_id').onRef('c.id', '=', 'o.customer_id'))
        .select([
          'o.customer_id',
          sql<boolean>`bool_or(o.placed_at < ${split})`.as('before'),
          sql<boolean>`bool_or(o.placed_at >= ${split})`.as('after'),
        ])
        .where('o.org_id', '=', orgId)
        .where('c.excluded_from_reports', '=', false)
        .where('o.status', '<>', 'cancelled')
        .where('o.placed_at', '>=', from)
        .where('o.placed_at', '<', to)
        .groupBy('o.customer_id')
        .as('x'),
    )
    .select([sql<number>`count(*) filter (where before)`.as('base'), sql<number>`count(*) filter (where before and after)`.as('kept')])
    .executeTakeFirstOrThrow();
  return { retention_base: Number(r.base), retention_kept: Number(r.kept) };
}

export function findSnapshot(db: Executor, orgId: string): Promise<SnapshotRow | undefined> {
  return db.selectFrom('analytics_snapshots').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export async function saveSnapshot(db: Executor, row: SnapshotRow): Promise<void> {
  const { org_id: _orgId, ...rest } = row;
  await db
    .insertInto('analytics_snapshots')
    .values(row)
    .onConflict((oc) => oc.column('org_id').doUpdateSet(rest))
    .execute();
}

/** Customers of the organization, counted up to `cap`. */
export async function customersUpTo(db: Executor, orgId: string, cap: number): Promise<number> {
  const r = await db
    .selectFrom((eb) => eb.selectFrom('customers').select(sql<number>`1`.as('one')).where('org_id', '=', orgId).limit(cap).as('m'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The organization's currency and time zone (cards count in its months and money). */
export function orgCurrencyAndZone(db: Executor, orgId: string) {
  return db.selectFrom('organizations').select(['currency', 'timezone']).where('id', '=', orgId).executeTakeFirstOrThrow();
}
