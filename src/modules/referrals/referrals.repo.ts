import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { ReferralClicksTable, ReferralLinksTable, ReferralsTable } from './referrals.tables.js';

export type LinkRow = Selectable<ReferralLinksTable>;
export type ReferralRow = Selectable<ReferralsTable>;
export type ClickRow = Selectable<ReferralClicksTable>;

export function getSettings(db: Executor, orgId: string) {
  return db.selectFrom('referral_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export interface SettingsPatch {
  landing_url?: string | null;
  storefront_url?: string | null;
}

/** Changes the given settings only (absent fields keep their value). */
export async function saveSettings(db: Executor, orgId: string, patch: SettingsPatch, now: Date) {
  return db
    .insertInto('referral_settings')
    .values({ org_id: orgId, landing_url: patch.landing_url ?? null, storefront_url: patch.storefront_url ?? null, updated_at: now })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ ...patch, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findLink(db: Executor, orgId: string, customerId: string): Promise<LinkRow | undefined> {
  return db.selectFrom('referral_links').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).executeTakeFirst();
}

/** Inserts the link unless the customer has one or the code is taken; undefined when nothing was written. */
export function insertLinkIfAbsent(db: Executor, row: Insertable<ReferralLinksTable>): Promise<LinkRow | undefined> {
  return db.insertInto('referral_links').values(row).onConflict((oc) => oc.doNothing()).returningAll().executeTakeFirst();
}

export async function updateLink(db: Executor, orgId: string, customerId: string, patch: Updateable<ReferralLinksTable>): Promise<LinkRow> {
  return db.updateTable('referral_links').set(patch).where('org_id', '=', orgId).where('customer_id', '=', customerId).returningAll().executeTakeFirstOrThrow();
}

/** Whether any organization uses this code, or used it before regenerating (the public link carries no organization). */
export async function codeInUse(db: Executor, codeKey: string): Promise<boolean> {
  const live = await db.selectFrom('referral_links').select('org_id').where('code_key', '=', codeKey).limit(1).executeTakeFirst();
  if (live) return true;
  const retired = await db.selectFrom('referral_retired_codes').select('org_id').where('code_key', '=', codeKey).limit(1).executeTakeFirst();
  return retired !== undefined;
}

/** Keeps a replaced code, so its visits still land on the organization's page and it is never reissued. */
export async function retireCode(db: Executor, orgId: string, codeKey: string, customerId: string, now: Date): Promise<void> {
  await db
    .insertInto('referral_retired_codes')
    .values({ org_id: orgId, code_key: codeKey, customer_id: customerId, retired_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'code_key']).doNothing())
    .execute();
}

/** The organizations that retired this code (at most two rows, to notice an impossible clash). */
export function findRetiredCodeAnyOrg(db: Executor, codeKey: string) {
  return db.selectFrom('referral_retired_codes').select(['org_id', 'customer_id']).where('code_key', '=', codeKey).limit(2).execute();
}

/** Another link of the organization holding this friend discount code (compared without case). */
export function findFriendCodeHolder(db: Executor, orgId: string, code: string, exceptCustomerId: string) {
  return db
    .selectFrom('referral_links')
    .select(['customer_id', 'friend_discount_code'])
    .where('org_id', '=', orgId)
    .where(sql<string>`upper(friend_discount_code)`, '=', code.toUpperCase())
    .where('customer_id', '<>', exceptCustomerId)
    .executeTakeFirst();
}

/** Whether the link's owner may still start referrals: a member, not anonymized. */
export function linkOwner(db: Executor, orgId: string, customerId: string) {
  return db.selectFrom('customers').select(['membership_type', 'anonymized_at']).where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
}

/** The public /r/{code} lookup across organizations (at most two rows, to notice an impossible clash). */
export function findLinksByCodeAnyOrg(db: Executor, codeKey: string): Promise<LinkRow[]> {
  return db.selectFrom('referral_links').selectAll().where('code_key', '=', codeKey).limit(2).execute();
}

export function findLinkByCode(db: Executor, orgId: string, codeKey: string): Promise<LinkRow | undefined> {
  return db.selectFrom('referral_links').selectAll().where('org_id', '=', orgId).where('code_key', '=', codeKey).executeTakeFirst();
}

export async function insertClick(db: Executor, row: Insertable<ReferralClicksTable>): Promise<void> {
  await db.insertInto('referral_clicks').values(row).execute();
}

export function findClick(db: Executor, orgId: string, id: string): Promise<ClickRow | undefined> {
  return db.selectFrom('referral_clicks').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function insertReferral(db: Executor, row: Insertable<ReferralsTable>): Promise<ReferralRow> {
  return db.insertInto('referrals').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findReferralByFriend(db: Executor, orgId: string, friendId: string): Promise<ReferralRow | undefined> {
  return db.selectFrom('referrals').selectAll().where('org_id', '=', orgId).where('friend_customer_id', '=', friendId).executeTakeFirst();
}

export function lockPendingReferralByFriend(db: Executor, orgId: string, friendId: string): Promise<ReferralRow | undefined> {
  return db
    .selectFrom('referrals')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('friend_customer_id', '=', friendId)
    .where('status', '=', 'pending')
    .forUpdate()
    .executeTakeFirst();
}

export async function updateReferral(db: Executor, orgId: string, id: string, patch: Updateable<ReferralsTable>): Promise<ReferralRow> {
  return db.updateTable('referrals').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function stats(db: Executor, orgId: string, customerId: string) {
  const byStatus = await db
    .selectFrom('referrals')
    .select(['status', (eb) => eb.fn.countAll<string>().as('n')])
    .where('org_id', '=', orgId)
    .where('referrer_customer_id', '=', customerId)
    .groupBy('status')
    .execute();
  const clicks = await db
    .selectFrom('referral_clicks')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('org_id', '=', orgId)
    .where('referrer_customer_id', '=', customerId)
    .where('tracked', '=', true)
    .executeTakeFirstOrThrow();
  const n = (s: string) => Number(byStatus.find((r) => r.status === s)?.n ?? 0);
  return { pending: n('pending'), completed: n('completed'), clicks: Number(clicks.n) };
}

export function referralsOf(db: Executor, orgId: string, customerId: string): Promise<ReferralRow[]> {
  return db
    .selectFrom('referrals')
    .selectAll()
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('referrer_customer_id', '=', customerId), eb('friend_customer_id', '=', customerId)]))
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** The organization's referral earning rule (kind and key 'referral'), if configured. */
export function findReferralRule(db: Executor, orgId: string) {
  return db.selectFrom('earning_rules').selectAll().where('org_id', '=', orgId).where('kind', '=', 'referral').where('key', '=', 'referral').executeTakeFirst();
}

/**
 * The referrals a customer made (they are the referrer), newest first, with the friend's name
 * and the order that completed each; keyset-paginated on (created_at, id).
 */
export function referredBy(db: Executor, orgId: string, customerId: string, q: { limit: number; before: { createdAt: Date; id: string } | null }) {
  let query = db
    .selectFrom('referrals as r')
    .innerJoin('customers as f', (j) => j.onRef('f.org_id', '=', 'r.org_id').onRef('f.id', '=', 'r.friend_customer_id'))
    .leftJoin('orders as o', (j) => j.onRef('o.org_id', '=', 'r.org_id').onRef('o.id', '=', 'r.completed_order_id'))
    .select(['r.id', 'r.status', 'r.reward_points', 'r.created_at', 'r.completed_at', 'r.completed_order_id', 'o.external_id as order_external_id', 'f.id as friend_id', 'f.first_name', 'f.last_name', 'f.email'])
    .where('r.org_id', '=', orgId)
    .where('r.referrer_customer_id', '=', customerId)
    .orderBy('r.created_at', 'desc')
    .orderBy('r.id', 'desc')
    .limit(q.limit);
  if (q.before) {
    const b = q.before;
    query = query.where((eb) => eb(eb.refTuple('r.created_at', 'r.id'), '<', eb.tuple(b.createdAt, b.id)));
  }
  return query.execute();
}

export async function customerExists(db: Executor, orgId: string, customerId: string): Promise<boolean> {
  const row = await db.selectFrom('customers').select('id').where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
  return Boolean(row);
}
