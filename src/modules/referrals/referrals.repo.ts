import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { ReferralClicksTable, ReferralLinksTable, ReferralsTable } from './referrals.tables.js';

export type LinkRow = Selectable<ReferralLinksTable>;
export type ReferralRow = Selectable<ReferralsTable>;
export type ClickRow = Selectable<ReferralClicksTable>;

export function getSettings(db: Executor, orgId: string) {
  return db.selectFrom('referral_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export async function saveSettings(db: Executor, orgId: string, landingUrl: string, now: Date) {
  return db
    .insertInto('referral_settings')
    .values({ org_id: orgId, landing_url: landingUrl, updated_at: now })
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ landing_url: landingUrl, updated_at: now }))
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

/** Whether any organization uses this code (the public link carries no organization). */
export async function codeInUse(db: Executor, codeKey: string): Promise<boolean> {
  const row = await db.selectFrom('referral_links').select('org_id').where('code_key', '=', codeKey).limit(1).executeTakeFirst();
  return row !== undefined;
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
