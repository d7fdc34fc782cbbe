import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { CouponsTable, RewardsTable } from './rewards.tables.js';

export type RewardRow = Selectable<RewardsTable>;
export type CouponRow = Selectable<CouponsTable>;
export type CouponWithOrder = CouponRow & { used_order_external_id: string | null };

export async function insertReward(db: Executor, row: Insertable<RewardsTable>): Promise<RewardRow> {
  return db.insertInto('rewards').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findReward(db: Executor, orgId: string, id: string): Promise<RewardRow | undefined> {
  return db.selectFrom('rewards').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function updateReward(db: Executor, orgId: string, id: string, patch: Updateable<RewardsTable>): Promise<RewardRow> {
  return db.updateTable('rewards').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function deleteReward(db: Executor, orgId: string, id: string): Promise<void> {
  await db.deleteFrom('rewards').where('org_id', '=', orgId).where('id', '=', id).execute();
}

export async function rewardHasCoupons(db: Executor, orgId: string, id: string): Promise<boolean> {
  const row = await db.selectFrom('coupons').select('id').where('org_id', '=', orgId).where('reward_id', '=', id).limit(1).executeTakeFirst();
  return row !== undefined;
}

export function listRewards(db: Executor, orgId: string, opts: { limit: number; after: string | null; active?: boolean | undefined }) {
  let q = db.selectFrom('rewards').selectAll().where('org_id', '=', orgId).orderBy('id').limit(opts.limit);
  if (opts.after) q = q.where('id', '>', opts.after);
  if (opts.active !== undefined) q = q.where('active', '=', opts.active);
  return q.execute();
}

/** Inserts the coupon unless its code is taken in the organization; returns undefined on a code clash. */
export function insertCouponIfCodeFree(db: Executor, row: Insertable<CouponsTable>): Promise<CouponRow | undefined> {
  return db
    .insertInto('coupons')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'code_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function lockCoupon(db: Executor, orgId: string, id: string): Promise<CouponRow | undefined> {
  return db.selectFrom('coupons').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function findCoupon(db: Executor, orgId: string, id: string): Promise<CouponRow | undefined> {
  return db.selectFrom('coupons').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function updateCoupon(db: Executor, orgId: string, id: string, patch: Updateable<CouponsTable>): Promise<CouponRow> {
  return db.updateTable('coupons').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

const withOrder = (db: Executor) =>
  db
    .selectFrom('coupons as c')
    .leftJoin('orders as o', (j) => j.onRef('o.org_id', '=', 'c.org_id').onRef('o.id', '=', 'c.used_order_id'))
    .selectAll('c')
    .select('o.external_id as used_order_external_id');

export function findCouponWithOrder(db: Executor, orgId: string, id: string): Promise<CouponWithOrder | undefined> {
  return withOrder(db).where('c.org_id', '=', orgId).where('c.id', '=', id).executeTakeFirst();
}

export function listCustomerCoupons(
  db: Executor,
  orgId: string,
  customerId: string,
  opts: { limit: number; before: { createdAt: Date; id: string } | null },
): Promise<CouponWithOrder[]> {
  let q = withOrder(db)
    .where('c.org_id', '=', orgId)
    .where('c.customer_id', '=', customerId)
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(opts.limit);
  if (opts.before) {
    const b = opts.before;
    q = q.where((eb) => eb(eb.refTuple('c.created_at', 'c.id'), '<', eb.tuple(b.createdAt, b.id)));
  }
  return q.execute();
}

/** Active coupons of this customer whose code is one of `codeKeys`, locked for the order's transaction. */
export function lockActiveCouponsByCode(db: Executor, orgId: string, customerId: string, codeKeys: string[]): Promise<CouponRow[]> {
  return db
    .selectFrom('coupons')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'active')
    .where('code_key', 'in', codeKeys)
    .forUpdate()
    .execute();
}

/** Marks due coupons expired (at most `limit`), returning them; re-running finds nothing new. */
export function expireDueCoupons(db: Executor, orgId: string, now: Date, limit: number) {
  return db
    .updateTable('coupons')
    .set({ status: 'expired', expired_at: now, updated_at: now })
    .where('org_id', '=', orgId)
    .where((eb) =>
      eb(
        'id',
        'in',
        eb
          .selectFrom('coupons')
          .select('id')
          .where('org_id', '=', orgId)
          .where('status', '=', 'active')
          .where('expires_at', '<=', now)
          .orderBy('expires_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      ),
    )
    .where('status', '=', 'active')
    .returning(['id', 'customer_id', 'code', 'reward_name', 'expires_at'])
    .execute();
}

export function couponsOfCustomer(db: Executor, orgId: string, customerId: string): Promise<CouponWithOrder[]> {
  return withOrder(db).where('c.org_id', '=', orgId).where('c.customer_id', '=', customerId).orderBy('c.created_at', 'desc').orderBy('c.id', 'desc').execute();
}

export async function orgCurrency(db: Executor, orgId: string): Promise<string> {
  const org = await db.selectFrom('organizations').select('currency').where('id', '=', orgId).executeTakeFirstOrThrow();
  return org.currency.trim();
}

/** The store state of a coupon's discount code (written by the connected store's integration). */
export async function setCouponStoreState(
  db: Executor,
  orgId: string,
  id: string,
  patch: Pick<Updateable<CouponsTable>, 'store_state' | 'store_ref' | 'store_error' | 'store_attempts' | 'store_updated_at'>,
): Promise<void> {
  await db.updateTable('coupons').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();
}
