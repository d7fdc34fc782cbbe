import type { Insertable, Selectable } from 'kysely';
import { sql } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { CustomerWhere } from '../grid/index.js';
import type { PushPlatformOutcome, WalletCampaignsTable, WalletPushesTable, WalletSettingsTable } from './wallet.tables.js';

export type PushRow = Selectable<WalletPushesTable>;
export type CampaignRow = Selectable<WalletCampaignsTable>;
export type SettingsRow = Selectable<WalletSettingsTable>;

// ---- settings ----

export function findSettings(db: Executor, orgId: string): Promise<SettingsRow | undefined> {
  return db.selectFrom('wallet_settings').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export async function upsertSettings(
  db: Executor,
  orgId: string,
  patch: Partial<Pick<SettingsRow, 'terms' | 'mail_from' | 'background_color' | 'foreground_color'>>,
  now: Date,
): Promise<SettingsRow> {
  // The table's defaults, for an organization saving its settings the first time.
  const insert: Insertable<WalletSettingsTable> = {
    org_id: orgId,
    terms: patch.terms ?? '',
    mail_from: patch.mail_from ?? '',
    background_color: patch.background_color ?? '#1f2a44',
    foreground_color: patch.foreground_color ?? '#ffffff',
    created_at: now,
    updated_at: now,
  };
  return db
    .insertInto('wallet_settings')
    .values(insert)
    .onConflict((oc) => oc.column('org_id').doUpdateSet({ ...patch, updated_at: now }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ---- customers ----

/** What sending needs of a customer: who they are and whether they are a member. */
export function messageCustomer(db: Executor, orgId: string, customerId: string) {
  return db
    .selectFrom('customers')
    .select(['id', 'email', 'first_name', 'last_name', 'membership_type', 'anonymized_at'])
    .where('org_id', '=', orgId)
    .where('id', '=', customerId)
    .executeTakeFirst();
}

/** The organization's display name (the e-mail's subject and greeting). */
export async function orgName(db: Executor, orgId: string): Promise<string> {
  const row = await db.selectFrom('organizations').select('name').where('id', '=', orgId).executeTakeFirst();
  return row?.name ?? '';
}

/** Which of `ids` are members (not guests, not left, not anonymized) now. */
export async function membersAmong(db: Executor, orgId: string, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', 'in', [...ids])
    .where('membership_type', '=', 'member')
    .where('anonymized_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Which of `ids` match an audience filter now. */
export async function matchingAmong(db: Executor, where: CustomerWhere, ids: readonly string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('customers')
    .select('id')
    .where(where)
    .where('id', 'in', [...ids])
    .execute();
  return new Set(rows.map((r) => r.id));
}

// ---- pushes ----

export async function insertPush(db: Executor, row: Insertable<WalletPushesTable>): Promise<PushRow | undefined> {
  return db
    .insertInto('wallet_pushes')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'campaign_id', 'customer_id']).where('campaign_id', 'is not', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findPush(db: Executor, orgId: string, id: string): Promise<PushRow | undefined> {
  return db.selectFrom('wallet_pushes').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** Locks a push while its outcome is recorded (two runs of one push queue here). */
export function lockPush(db: Executor, orgId: string, id: string): Promise<PushRow | undefined> {
  return db.selectFrom('wallet_pushes').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Records one platform's state on a push (merged into `platforms`). */
export async function setPushPlatform(db: Executor, orgId: string, id: string, platform: string, outcome: PushPlatformOutcome): Promise<void> {
  await db
    .updateTable('wallet_pushes')
    .set({ platforms: sql`platforms || jsonb_build_object(${platform}::text, ${JSON.stringify(outcome)}::jsonb)` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

/** Settles a push still `created`; undefined when another run settled it first. */
export function settlePush(
  db: Executor,
  orgId: string,
  id: string,
  outcome: { status: 'sent' | 'failed' | 'skipped'; reason: string | null; appleDevices: number; google: boolean; at: Date },
): Promise<PushRow | undefined> {
  return db
    .updateTable('wallet_pushes')
    .set({ status: outcome.status, reason: outcome.reason, apple_devices: outcome.appleDevices, google: outcome.google, finished_at: outcome.at })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('status', '=', 'created')
    .returningAll()
    .executeTakeFirst();
}

/** One customer's pushes, newest first, after the (created_at, id) key. */
export function listPushes(db: Executor, orgId: string, customerId: string, before: { createdAt: Date; id: string } | null, limit: number) {
  let q = db
    .selectFrom('wallet_pushes as p')
    .leftJoin('wallet_campaigns as c', (j) => j.onRef('c.org_id', '=', 'p.org_id').onRef('c.id', '=', 'p.campaign_id'))
    .selectAll('p')
    .select('c.name as campaign_name')
    .where('p.org_id', '=', orgId)
    .where('p.customer_id', '=', customerId)
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(limit);
  if (before) q = q.where((eb) => eb(eb.refTuple('p.created_at', 'p.id'), '<', eb.tuple(before.createdAt, before.id)));
  return q.execute();
}

/** A campaign's pushes still waiting, in customer order after `afterCustomer`. */
export function pendingCampaignPushes(db: Executor, orgId: string, campaignId: string, afterCustomer: string | null, limit: number) {
  let q = db
    .selectFrom('wallet_pushes')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('campaign_id', '=', campaignId)
    .where('status', '=', 'created')
    .orderBy('customer_id')
    .limit(limit);
  if (afterCustomer !== null) q = q.where('customer_id', '>', afterCustomer);
  return q.execute();
}

// ---- campaigns ----

export async function insertCampaign(db: Executor, row: Insertable<WalletCampaignsTable>): Promise<CampaignRow> {
  return db.insertInto('wallet_campaigns').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findCampaign(db: Executor, orgId: string, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('wallet_campaigns').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function lockCampaign(db: Executor, orgId: string, id: string): Promise<CampaignRow | undefined> {
  return db.selectFrom('wallet_campaigns').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateCampaign(
  db: Executor,
  orgId: string,
  id: string,
  patch: Partial<Pick<CampaignRow, 'status' | 'finished_at'>> & { updated_at: Date },
): Promise<CampaignRow | undefined> {
  return db.updateTable('wallet_campaigns').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Adds to a campaign's counts (in the transaction that settles the push). */
export async function countOnCampaign(db: Executor, orgId: string, id: string, add: { reached?: number; sent?: number; failed?: number; skipped?: number }, now: Date): Promise<void> {
  await db
    .updateTable('wallet_campaigns')
    .set((eb) => ({
      reached: eb('reached', '+', add.reached ?? 0),
      sent: eb('sent', '+', add.sent ?? 0),
      failed: eb('failed', '+', add.failed ?? 0),
      skipped: eb('skipped', '+', add.skipped ?? 0),
      updated_at: now,
    }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

/** The organization's campaigns, newest first, after the (created_at, id) key. */
export function listCampaigns(db: Executor, orgId: string, before: { createdAt: Date; id: string } | null, limit: number) {
  let q = db
    .selectFrom('wallet_campaigns as c')
    .leftJoin('segments as s', (j) => j.onRef('s.org_id', '=', 'c.org_id').onRef('s.id', '=', 'c.segment_id'))
    .selectAll('c')
    .select('s.name as segment_name')
    .where('c.org_id', '=', orgId)
    .orderBy('c.created_at', 'desc')
    .orderBy('c.id', 'desc')
    .limit(limit);
  if (before) q = q.where((eb) => eb(eb.refTuple('c.created_at', 'c.id'), '<', eb.tuple(before.createdAt, before.id)));
  return q.execute();
}

export async function segmentName(db: Executor, orgId: string, segmentId: string | null): Promise<string | null> {
  if (!segmentId) return null;
  const row = await db.selectFrom('segments').select('name').where('org_id', '=', orgId).where('id', '=', segmentId).executeTakeFirst();
  return row?.name ?? null;
}

/** Scheduled campaigns of the organization whose time has come. */
export function dueCampaigns(db: Executor, orgId: string, now: Date) {
  return db.selectFrom('wallet_campaigns').select(['id']).where('org_id', '=', orgId).where('status', '=', 'scheduled').where('send_at', '<=', now).orderBy('send_at').limit(100).execute();
}
