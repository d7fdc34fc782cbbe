import { randomBytes } from 'node:crypto';
import type { Actor, AppContext } from '../../context.js';
import { canonicalCode, generateCode } from '../../core/codes.js';
import { divRound } from '../../core/money.js';
import { newId } from '../../db/ids.js';
import { withTx, type Executor, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { recordActivity } from '../activity/activity.repo.js';
import { profileLoaders } from '../customers/customers.service.js';
import type { CustomerRow } from '../points/points.repo.js';
import { lockEditableCustomer } from '../privacy/privacy.guard.js';
import * as repo from './referrals.repo.js';
import type { LinkRow } from './referrals.repo.js';

const CODE_ATTEMPTS = 8;
export const DEFAULT_LANDING_URL = '/';

profileLoaders.referralStats = async (db, row) => {
  const s = await repo.stats(db, row.org_id, row.id);
  return { clicks: s.clicks, pending: s.pending, completed: s.completed, conversionRate: conversionRate(s.pending, s.completed) };
};

/** Percentage with one decimal ("33.3") of completed / (pending + completed); null before any referral. */
export function conversionRate(pending: number, completed: number): string | null {
  const total = pending + completed;
  if (total === 0) return null;
  const tenths = divRound(BigInt(completed) * 1000n, BigInt(total), 'nearest');
  return `${tenths / 10n}.${tenths % 10n}`;
}

export interface FriendOffer {
  type: string;
  value: string;
}

function friendOffer(config: unknown): FriendOffer | null {
  const c = (typeof config === 'string' ? JSON.parse(config) : config) as { friendDiscount?: { type?: unknown; value?: unknown } } | null;
  const d = c?.friendDiscount;
  return d && typeof d.type === 'string' && (typeof d.value === 'string' || typeof d.value === 'number') ? { type: d.type, value: String(d.value) } : null;
}

/** A fresh code no organization uses (the public link /r/{code} must resolve to one link). */
async function freshCode(db: Executor): Promise<{ code: string; key: string }> {
  for (let i = 0; i < CODE_ATTEMPTS; i++) {
    const code = generateCode(randomBytes, { groups: 2, groupLength: 4 });
    const key = canonicalCode(code)!;
    if (!(await repo.codeInUse(db, key))) return { code, key };
  }
  throw new AppError('CONCURRENT_UPDATE', 'Could not find a free referral code; please retry', { retryable: true });
}

/** The customer's link, created on first use for members; null when they have none and cannot get one. */
async function ensureLink(db: Executor, customer: CustomerRow, now: Date): Promise<LinkRow | null> {
  const existing = await repo.findLink(db, customer.org_id, customer.id);
  if (existing || customer.anonymized_at || customer.membership_type !== 'member') return existing ?? null;
  for (let i = 0; i < CODE_ATTEMPTS; i++) {
    const { code, key } = await freshCode(db);
    const row = await repo.insertLinkIfAbsent(db, {
      org_id: customer.org_id,
      customer_id: customer.id,
      code,
      code_key: key,
      status: 'active',
      friend_discount_code: null,
      created_at: now,
      updated_at: now,
    });
    if (row) return row;
    const raced = await repo.findLink(db, customer.org_id, customer.id);
    if (raced) return raced;
  }
  throw new AppError('CONCURRENT_UPDATE', 'Could not create the referral link; please retry', { retryable: true });
}

function unavailableReason(customer: CustomerRow): string {
  if (customer.anonymized_at) return 'The customer was anonymized';
  return customer.membership_type === 'guest' ? 'Only members get a referral link; this customer is a guest' : 'Only members get a referral link; this customer left the program';
}

async function view(db: Executor, customer: CustomerRow, link: LinkRow | null, origin: string) {
  const s = await repo.stats(db, customer.org_id, customer.id);
  const rule = await repo.findReferralRule(db, customer.org_id);
  return {
    customerId: customer.id,
    code: link?.code ?? null,
    link: link ? `${origin.replace(/\/+$/, '')}/r/${link.code}` : null,
    status: link ? link.status : ('none' as const),
    unavailableReason: link ? null : unavailableReason(customer),
    friendDiscount: { code: link?.friend_discount_code ?? null, offer: rule?.active ? friendOffer(rule.config) : null },
    referrerReward: rule?.active ? { points: rule.points } : null,
    stats: { clicks: s.clicks, pending: s.pending, completed: s.completed, conversionRate: conversionRate(s.pending, s.completed) },
  };
}

export type ReferralView = Awaited<ReturnType<typeof view>>;

export async function getReferral(ctx: AppContext, orgId: string, customerId: string, origin: string): Promise<ReferralView> {
  const customer = await ctx.db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
  if (!customer) throw AppError.notFound('Customer', customerId);
  const link = await ensureLink(ctx.db, customer, ctx.clock.now());
  return view(ctx.db, customer, link, origin);
}

type LinkChange = 'disable' | 'activate' | 'regenerate' | { discountCode: string | null };

async function changeLink(ctx: AppContext, orgId: string, customerId: string, change: LinkChange, actor: Actor, origin: string): Promise<ReferralView> {
  const result = await withTx(ctx.db, async (tx: Tx) => {
    const now = ctx.clock.now();
    const customer = await lockEditableCustomer(tx, orgId, customerId);
    const link = await ensureLink(tx, customer, now);
    if (!link) throw new AppError('RULE_REFUSED', `${unavailableReason(customer)}; make them a member first`, { membershipType: customer.membership_type });
    let updated = link;
    let type: string;
    let summary: string;
    let payload: Record<string, unknown>;
    if (change === 'disable' || change === 'activate') {
      const status = change === 'disable' ? 'disabled' : 'active';
      if (link.status !== status) updated = await repo.updateLink(tx, orgId, customerId, { status, updated_at: now });
      type = `referral.link_${status === 'active' ? 'activated' : 'disabled'}`;
      summary = status === 'active' ? `Referral link ${link.code} activated` : `Referral link ${link.code} disabled: visitors still reach the store but start no referral`;
      payload = { code: link.code, status };
    } else if (change === 'regenerate') {
      const { code, key } = await freshCode(tx);
      updated = await repo.updateLink(tx, orgId, customerId, { code, code_key: key, updated_at: now });
      type = 'referral.link_regenerated';
      summary = `Referral link regenerated: ${code} replaces ${link.code}, which no longer works`;
      payload = { oldCode: link.code, newCode: code };
    } else {
      updated = await repo.updateLink(tx, orgId, customerId, { friend_discount_code: change.discountCode, updated_at: now });
      type = 'referral.discount_code_changed';
      summary = change.discountCode ? `Friend discount code set to ${change.discountCode}` : 'Friend discount code cleared';
      payload = { previous: link.friend_discount_code, code: change.discountCode };
    }
    await recordActivity(tx, { orgId, customerId, type, actor, summary, payload, at: now });
    return { customer, link: updated };
  });
  return view(ctx.db, result.customer, result.link, origin);
}

export const disableLink = (ctx: AppContext, orgId: string, id: string, actor: Actor, origin: string) => changeLink(ctx, orgId, id, 'disable', actor, origin);
export const activateLink = (ctx: AppContext, orgId: string, id: string, actor: Actor, origin: string) => changeLink(ctx, orgId, id, 'activate', actor, origin);
export const regenerateLink = (ctx: AppContext, orgId: string, id: string, actor: Actor, origin: string) => changeLink(ctx, orgId, id, 'regenerate', actor, origin);
export const setFriendDiscountCode = (ctx: AppContext, orgId: string, id: string, code: string | null, actor: Actor, origin: string) =>
  changeLink(ctx, orgId, id, { discountCode: code }, actor, origin);

export async function getReferralSettings(ctx: AppContext, orgId: string) {
  const row = await repo.getSettings(ctx.db, orgId);
  return { landingUrl: row?.landing_url ?? DEFAULT_LANDING_URL, updatedAt: row?.updated_at.toISOString() ?? null };
}

export async function saveReferralSettings(ctx: AppContext, orgId: string, landingUrl: string) {
  const row = await repo.saveSettings(ctx.db, orgId, landingUrl, ctx.clock.now());
  return { landingUrl: row.landing_url, updatedAt: row.updated_at.toISOString() };
}

/**
 * A visit to /r/{code}: records the click and answers where to send the visitor. Only an
 * active link starts tracking (a click id for the `patron_ref` cookie); a disabled link
 * still lands on the store. Unknown or replaced codes resolve to nothing (null).
 */
export async function visitLink(ctx: AppContext, rawCode: string): Promise<{ location: string; clickId: string | null } | null> {
  const key = canonicalCode(rawCode);
  if (!key) return null;
  const links = await repo.findLinksByCodeAnyOrg(ctx.db, key);
  const link = links.length === 1 ? links[0]! : null;
  if (!link) {
    if (links.length > 1) ctx.logger.error({ codeKey: key }, 'referral code used by more than one organization');
    return null;
  }
  const now = ctx.clock.now();
  const tracked = link.status === 'active';
  const clickId = newId(now.getTime());
  await repo.insertClick(ctx.db, { org_id: link.org_id, id: clickId, referrer_customer_id: link.customer_id, tracked, created_at: now });
  const landing = (await repo.getSettings(ctx.db, link.org_id))?.landing_url ?? DEFAULT_LANDING_URL;
  if (!tracked) return { location: landing, clickId: null };
  const [base, hash] = landing.split('#', 2) as [string, string | undefined];
  const location = `${base}${base.includes('?') ? '&' : '?'}patron_ref=${clickId}${hash !== undefined ? `#${hash}` : ''}`;
  return { location, clickId };
}
