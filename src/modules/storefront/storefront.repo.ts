import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { StorefrontSettingsTable } from './storefront.tables.js';

export type SettingsRow = Selectable<StorefrontSettingsTable>;

export function findSettings(db: Executor, orgId: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('storefront_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

/** The organization a publishable key names (any organization: the key is how a page says which); none if the key were ever found twice. */
export async function findSettingsByKey(db: Executor, publishableKey: string): Promise<SettingsRow | undefined> {
  const rows = await db.selectFrom('storefront_settings').selectAll().where('publishable_key', '=', publishableKey).limit(2).execute();
  return rows.length === 1 ? rows[0] : undefined;
}

/** Creates the row when absent (a concurrent first read keeps the first key); returns the row. */
export async function ensureSettings(db: Executor, row: Insertable<StorefrontSettingsTable>): Promise<SettingsRow> {
  await db.insertInto('storefront_settings').values(row).onConflict((oc) => oc.column('org_id').doNothing()).execute();
  return db.selectFrom('storefront_settings').selectAll().where('org_id', '=', row.org_id).executeTakeFirstOrThrow();
}

export function updateSettings(db: Executor, orgId: string, patch: Updateable<StorefrontSettingsTable>): Promise<SettingsRow> {
  return db.updateTable('storefront_settings').set(patch).where('org_id', '=', orgId).returningAll().executeTakeFirstOrThrow();
}

export function organization(db: Executor, orgId: string) {
  return db.selectFrom('organizations').select(['id', 'name', 'currency', 'timezone']).where('id', '=', orgId).executeTakeFirstOrThrow();
}

export function customerByExternalId(db: Executor, orgId: string, externalId: string) {
  return db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('external_id', '=', externalId).executeTakeFirst();
}

export function customerById(db: Executor, orgId: string, id: string) {
  return db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/**
 * Counts one request in each bucket's current one-minute window, atomically (one upsert per
 * bucket), and returns the counts including this request and when each window started.
 */
export async function takeHits(db: Executor, orgId: string, buckets: string[], now: Date, windowMs: number) {
  const windowStart = new Date(now.getTime() - windowMs);
  return db
    .insertInto('storefront_rate_limits')
    .values(buckets.map((bucket) => ({ org_id: orgId, bucket, hits: 1, window_started_at: now })))
    .onConflict((oc) =>
      oc.columns(['org_id', 'bucket']).doUpdateSet((eb) => ({
        hits: eb.case().when('storefront_rate_limits.window_started_at', '<=', windowStart).then(1).else(eb('storefront_rate_limits.hits', '+', 1)).end(),
        window_started_at: eb.case().when('storefront_rate_limits.window_started_at', '<=', windowStart).then(now).else(eb.ref('storefront_rate_limits.window_started_at')).end(),
      })),
    )
    .returning(['bucket', 'hits', 'window_started_at'])
    .execute();
}

export async function deleteOldWindows(db: Executor, orgId: string, before: Date): Promise<number> {
  const r = await db.deleteFrom('storefront_rate_limits').where('org_id', '=', orgId).where('window_started_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

// --- what the customer may see --------------------------------------------------------

export function activeRewards(db: Executor, orgId: string) {
  return db.selectFrom('rewards').selectAll().where('org_id', '=', orgId).where('active', '=', true).orderBy('points_cost').orderBy('id').execute();
}

export function tiers(db: Executor, orgId: string) {
  return db.selectFrom('tiers').selectAll().where('org_id', '=', orgId).orderBy('threshold').orderBy('id').execute();
}

export function tierBasis(db: Executor, orgId: string) {
  return db.selectFrom('tier_settings').select(['basis', 'qualification_window']).where('org_id', '=', orgId).executeTakeFirst();
}

export function activeEarningRules(db: Executor, orgId: string) {
  return db.selectFrom('earning_rules').select(['kind', 'key', 'name', 'points', 'config']).where('org_id', '=', orgId).where('active', '=', true).orderBy('created_at').orderBy('id').execute();
}

/** Ledger entries the customer may see: their points and customer-facing message, nothing internal. */
export function visibleEntries(db: Executor, orgId: string, customerId: string, limit: number) {
  return db
    .selectFrom('points_entries')
    .select(['id', 'kind', 'points', 'active_delta', 'pending_delta', 'customer_message', 'created_at'])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('visible_to_customer', '=', true)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Active points that expire before `horizon`, by expiry date (soonest first). */
export function expiringLots(db: Executor, orgId: string, customerId: string, now: Date, horizon: Date) {
  return db
    .selectFrom('points_lots')
    .select(['remaining', 'expires_at'])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'active')
    .where('remaining', '>', 0)
    .where('expires_at', '>', now)
    .where('expires_at', '<=', horizon)
    .orderBy('expires_at')
    .execute();
}

/** Pending points and when they become usable. */
export function pendingLots(db: Executor, orgId: string, customerId: string) {
  return db
    .selectFrom('points_lots')
    .select(['remaining', 'activates_at'])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'pending')
    .where('remaining', '>', 0)
    .orderBy('activates_at')
    .execute();
}

export function coupons(db: Executor, orgId: string, customerId: string, limit: number) {
  return db
    .selectFrom('coupons')
    .select(['id', 'code', 'reward_name', 'reward_type', 'value_minor', 'value_percent', 'currency', 'status', 'expires_at', 'used_at', 'created_at'])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export function findRedemptionKey(db: Executor, orgId: string, customerId: string, key: string) {
  return db
    .selectFrom('storefront_redemption_keys')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}

/**
 * Claims a redemption key with its reply placeholder; waits while another transaction holds
 * the same key uncommitted. Undefined when the key was already used.
 */
export function claimRedemptionKey(db: Executor, row: { org_id: string; customer_id: string; idempotency_key: string; request_hash: string; created_at: Date }) {
  return db
    .insertInto('storefront_redemption_keys')
    .values({ ...row, reply: JSON.stringify({}) })
    .onConflict((oc) => oc.columns(['org_id', 'customer_id', 'idempotency_key']).doNothing())
    .returning('idempotency_key')
    .executeTakeFirst();
}

export async function storeRedemptionReply(db: Executor, orgId: string, customerId: string, key: string, reply: Record<string, unknown>): Promise<void> {
  await db
    .updateTable('storefront_redemption_keys')
    .set({ reply: JSON.stringify(reply) })
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('idempotency_key', '=', key)
    .execute();
}

/** A referral click of this organization (the landing's `patron_ref`), with the referrer's link. */
export function clickWithLink(db: Executor, orgId: string, clickId: string) {
  return db
    .selectFrom('referral_clicks as c')
    .innerJoin('referral_links as l', (j) => j.onRef('l.org_id', '=', 'c.org_id').onRef('l.customer_id', '=', 'c.referrer_customer_id'))
    .innerJoin('customers as r', (j) => j.onRef('r.org_id', '=', 'c.org_id').onRef('r.id', '=', 'c.referrer_customer_id'))
    .select(['c.tracked', 'l.friend_discount_code', 'l.status', 'r.first_name', 'r.anonymized_at'])
    .where('c.org_id', '=', orgId)
    .where('c.id', '=', clickId)
    .executeTakeFirst();
}

export function referralRule(db: Executor, orgId: string) {
  return db.selectFrom('earning_rules').select(['points', 'active', 'config']).where('org_id', '=', orgId).where('kind', '=', 'referral').where('key', '=', 'referral').executeTakeFirst();
}
