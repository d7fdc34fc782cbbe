import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';
import type { WindowBounds } from '../../core/tiers.js';
import type { CustomersTable } from '../../db/types.js';
import type { TierProgressAdjustmentsTable, TierSettingsTable, TiersTable } from './tiers.tables.js';

export type TierRow = Selectable<TiersTable>;
export type TierSettingsRow = Selectable<TierSettingsTable>;

export function findSettings(db: Executor, orgId: string): Promise<TierSettingsRow | undefined> {
  return db.selectFrom('tier_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export async function upsertSettings(db: Executor, row: TierSettingsRow): Promise<void> {
  await db
    .insertInto('tier_settings')
    .values(row)
    .onConflict((oc) =>
      oc.column('org_id').doUpdateSet({ basis: row.basis, qualification_window: row.qualification_window, grace_days: row.grace_days, updated_at: row.updated_at }),
    )
    .execute();
  await invalidate(db, [cacheTag.org(row.org_id)]);
}

export function orgFacts(db: Executor, orgId: string): Promise<{ currency: string; timezone: string }> {
  return db.selectFrom('organizations').select(['currency', 'timezone']).where('id', '=', orgId).executeTakeFirstOrThrow();
}

/** All tiers of the organization, lowest threshold first. */
export function listTiers(db: Executor, orgId: string): Promise<TierRow[]> {
  return db.selectFrom('tiers').selectAll().where('org_id', '=', orgId).orderBy('threshold').orderBy('id').execute();
}

export function countTiers(db: Executor, orgId: string): Promise<number> {
  return db
    .selectFrom('tiers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow()
    .then((r) => Number(r.n));
}

export function findTier(db: Executor, orgId: string, id: string): Promise<TierRow | undefined> {
  return db.selectFrom('tiers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function findTierByThreshold(db: Executor, orgId: string, threshold: number): Promise<TierRow | undefined> {
  return db.selectFrom('tiers').selectAll().where('org_id', '=', orgId).where('threshold', '=', threshold).executeTakeFirst();
}

export function findTierByName(db: Executor, orgId: string, name: string): Promise<TierRow | undefined> {
  return db
    .selectFrom('tiers')
    .selectAll()
    .where('org_id', '=', orgId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()))
    .executeTakeFirst();
}

export async function insertTier(db: Executor, row: Insertable<TiersTable>): Promise<TierRow> {
  const inserted = await db.insertInto('tiers').values(row).returningAll().executeTakeFirstOrThrow();
  await invalidate(db, [cacheTag.org(row.org_id)]);
  return inserted;
}

export async function updateTier(db: Executor, orgId: string, id: string, patch: Updateable<TiersTable>): Promise<TierRow> {
  const updated = await db.updateTable('tiers').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
  await invalidate(db, [cacheTag.org(orgId)]);
  return updated;
}

export async function deleteTier(db: Executor, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('tiers').where('org_id', '=', orgId).where('id', '=', id).execute();
  await invalidate(db, [cacheTag.org(orgId)]);
}

/** Customers holding the tier now or as a manual floor (a tier in use cannot be deleted). */
export async function tierUsage(db: Executor, orgId: string, tierId: string): Promise<{ customers: number; floors: number }> {
  const customers = await db
    .selectFrom('customers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('tier_id', '=', tierId)
    .executeTakeFirstOrThrow();
  const floors = await db
    .selectFrom('tier_manual_floors')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('tier_id', '=', tierId)
    .executeTakeFirstOrThrow();
  return { customers: Number(customers.n), floors: Number(floors.n) };
}

export type TierStatePatch = Pick<
  Updateable<CustomersTable>,
  'tier_id' | 'tier_progress' | 'tier_manual' | 'tier_achieved_at' | 'tier_qualifying_order_id' | 'tier_updated_at' | 'updated_at'
>;

export async function setCustomerTierState(db: Executor, orgId: string, customerId: string, patch: TierStatePatch): Promise<void> {
  await db.updateTable('customers').set(patch).where('org_id', '=', orgId).where('id', '=', customerId).execute();
}

export function findFloor(db: Executor, orgId: string, customerId: string) {
  return db.selectFrom('tier_manual_floors').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).executeTakeFirst();
}

export async function setFloor(db: Executor, orgId: string, customerId: string, tierId: string, at: Date): Promise<void> {
  await db
    .insertInto('tier_manual_floors')
    .values({ org_id: orgId, customer_id: customerId, tier_id: tierId, assigned_at: at })
    .onConflict((oc) => oc.columns(['org_id', 'customer_id']).doUpdateSet({ tier_id: tierId, assigned_at: at }))
    .execute();
}

export async function deleteFloor(db: Executor, orgId: string, customerId: string): Promise<void> {
  await db.deleteFrom('tier_manual_floors').where('org_id', '=', orgId).where('customer_id', '=', customerId).execute();
}

export async function insertProgressAdjustment(db: Executor, row: Selectable<TierProgressAdjustmentsTable>): Promise<void> {
  await db.insertInto('tier_progress_adjustments').values(row).execute();
}

/** Progress ingredients inside [start, end), in one round trip: counted orders net of refunds, the ledger's tier entries, staff edits. */
export async function progressParts(
  db: Executor,
  orgId: string,
  customerId: string,
  w: WindowBounds,
): Promise<{ spentMinor: number; orders: number; points: number; adjustments: number }> {
  const row = await db
    .selectNoFrom((eb) => {
      const orders = eb
        .selectFrom('orders')
        .where('org_id', '=', orgId)
        .where('customer_id', '=', customerId)
        .where('status', 'in', ['paid', 'fulfilled'])
        .$if(w.start !== null, (q) => q.where('placed_at', '>=', w.start!))
        .$if(w.end !== null, (q) => q.where('placed_at', '<', w.end!));
      return [
        orders.select(sql<number>`coalesce(sum(total_minor - refunded_minor), 0)::int8`.as('v')).as('spent'),
        orders.select(sql<number>`count(*)::int8`.as('v')).as('orders'),
        eb
          .selectFrom('points_entries')
          .select(sql<number>`coalesce(sum(points), 0)::int8`.as('v'))
          .where('org_id', '=', orgId)
          .where('customer_id', '=', customerId)
          .where((e) => e.or([e('counts_toward_tier', '=', true), e('kind', '=', 'order_reversal')]))
          .$if(w.start !== null, (q) => q.where('created_at', '>=', w.start!))
          .$if(w.end !== null, (q) => q.where('created_at', '<', w.end!))
          .as('points'),
        eb
          .selectFrom('tier_progress_adjustments')
          .select(sql<number>`coalesce(sum(delta), 0)::int8`.as('v'))
          .where('org_id', '=', orgId)
          .where('customer_id', '=', customerId)
          .$if(w.start !== null, (q) => q.where('created_at', '>=', w.start!))
          .$if(w.end !== null, (q) => q.where('created_at', '<', w.end!))
          .as('adjustments'),
      ];
    })
    .executeTakeFirstOrThrow();
  return { spentMinor: row.spent ?? 0, orders: row.orders ?? 0, points: row.points ?? 0, adjustments: row.adjustments ?? 0 };
}

/** Customers the assessment looks at (holding a tier, or with any history that can make progress), keyset by id. */
export function assessmentBatch(db: Executor, orgId: string, afterId: string | null, limit: number): Promise<{ id: string }[]> {
  return db
    .selectFrom('customers')
    .select('id')
    .where('org_id', '=', orgId)
    .where('anonymized_at', 'is', null)
    .where((eb) =>
      eb.or([eb('tier_id', 'is not', null), eb('tier_progress', '<>', 0), eb('orders_count', '>', 0), eb('points_earned', '<>', 0), eb('points_adjusted', '<>', 0)]),
    )
    .$if(afterId !== null, (q) => q.where('id', '>', afterId!))
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Each dated contribution to progress from `from` on (all history when null), oldest first:
 * counted orders (net of refunds, or 1 per order), the ledger's tier entries and staff edits.
 * The pending-downgrade forecast replays them to find when a rolling window drops below a tier.
 */
export async function progressContributions(
  db: Executor,
  orgId: string,
  customerId: string,
  from: Date | null,
): Promise<{ orders: { at: Date; spentMinor: number }[]; points: { at: Date; points: number }[]; adjustments: { at: Date; delta: number }[] }> {
  const [orders, points, adjustments] = await Promise.all([
    db
      .selectFrom('orders')
      .select(['placed_at as at', sql<number>`(total_minor - refunded_minor)::int8`.as('spentMinor')])
      .where('org_id', '=', orgId)
      .where('customer_id', '=', customerId)
      .where('status', 'in', ['paid', 'fulfilled'])
      .$if(from !== null, (q) => q.where('placed_at', '>=', from!))
      .orderBy('placed_at')
      .execute(),
    db
      .selectFrom('points_entries')
      .select(['created_at as at', 'points'])
      .where('org_id', '=', orgId)
      .where('customer_id', '=', customerId)
      .where((e) => e.or([e('counts_toward_tier', '=', true), e('kind', '=', 'order_reversal')]))
      .$if(from !== null, (q) => q.where('created_at', '>=', from!))
      .orderBy('created_at')
      .execute(),
    db
      .selectFrom('tier_progress_adjustments')
      .select(['created_at as at', 'delta'])
      .where('org_id', '=', orgId)
      .where('customer_id', '=', customerId)
      .$if(from !== null, (q) => q.where('created_at', '>=', from!))
      .orderBy('created_at')
      .execute(),
  ]);
  return {
    orders: orders.map((o) => ({ at: o.at, spentMinor: Number(o.spentMinor) })),
    points: points.map((p) => ({ at: p.at, points: Number(p.points) })),
    adjustments: adjustments.map((a) => ({ at: a.at, delta: Number(a.delta) })),
  };
}
