import { randomBytes } from 'node:crypto';
import type { Config } from '../../config.js';
import type { Actor, AppContext } from '../../context.js';
import { canonicalCode, generateCode } from '../../core/codes.js';
import { divRound } from '../../core/money.js';
import { newId } from '../../db/ids.js';
import { isUniqueViolation, withTx, type Executor, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { recordActivity } from '../activity/index.js';
import type { CustomerRow } from '../points/index.js';
import { lockForChange } from '../customers/index.js';
import { findCustomer } from '../customers/index.js';
import type { ProfileSections } from '../../events/types.js';
import * as repo from './referrals.repo.js';
import type { LinkRow } from './referrals.repo.js';

const CODE_ATTEMPTS = 8;
/** Where visitors land when the organization set neither a landing URL nor a storefront URL. */
export const DEFAULT_LANDING_URL = '/';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

type SettingsRow = Awaited<ReturnType<typeof repo.getSettings>>;

/**
 * The public address referral links are built on: the organization's storefront URL, else
 * PATRON_PUBLIC_URL, else (a server listening only on this machine) http://localhost:PORT.
 * Never a request's Host header: anyone can send any Host. Null when none is known.
 */
export function linkBase(config: Config, settings: SettingsRow): string | null {
  const base = settings?.storefront_url ?? config.publicUrl ?? (LOOPBACK_HOSTS.has(config.host) ? `http://localhost:${config.port}` : null);
  return base === null ? null : base.replace(/\/+$/, '');
}

/**
 * The customer's referral link as other features show it (e.g. a marketing tool's profile
 * property): {base}/r/{code} for an active link, null without one or without a public address.
 */
export async function activeReferralLink(config: Config, db: Executor, orgId: string, customerId: string): Promise<string | null> {
  const link = await repo.findLink(db, orgId, customerId);
  if (!link || link.status !== 'active') return null;
  const base = linkBase(config, await repo.getSettings(db, orgId));
  return base ? `${base}/r/${link.code}` : null;
}

/** Where a visit lands: the landing URL, else the storefront URL, else "/" of the address the link was opened on. */
export function landingOf(settings: SettingsRow): string {
  return settings?.landing_url ?? settings?.storefront_url ?? DEFAULT_LANDING_URL;
}

const NO_BASE =
  'Referral links need a public address: set PATRON_PUBLIC_URL, or the storefront URL of this organization (PUT /api/v1/referrals/settings { "storefrontUrl": "https://..." })';

/** The profile's referral section: clicks, pending and completed referrals, conversion. */
export const referralsProfile: ProfileSections = {
  referralStats: async (_ctx, db, row) => {
    const s = await repo.stats(db, row.org_id, row.id);
    return { clicks: s.clicks, pending: s.pending, completed: s.completed, conversionRate: conversionRate(s.pending, s.completed) };
  },
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

/** Why an existing link starts no referral although it is active (its owner is no longer a member); null when it does. */
function inactiveReason(customer: CustomerRow): string | null {
  if (customer.anonymized_at) return 'The customer was anonymized: the link lands on the store but starts no referral';
  if (customer.membership_type !== 'member') return 'This customer left the program: the link lands on the store but starts no referral until they are reinstated as a member';
  return null;
}

async function view(db: Executor, config: Config, customer: CustomerRow, link: LinkRow | null) {
  const s = await repo.stats(db, customer.org_id, customer.id);
  const rule = await repo.findReferralRule(db, customer.org_id);
  const base = linkBase(config, await repo.getSettings(db, customer.org_id));
  return {
    customerId: customer.id,
    code: link?.code ?? null,
    link: link && base ? `${base}/r/${link.code}` : null,
    status: link ? link.status : ('none' as const),
    unavailableReason: link ? (inactiveReason(customer) ?? (base ? null : NO_BASE)) : unavailableReason(customer),
    friendDiscount: { code: link?.friend_discount_code ?? null, offer: rule?.active ? friendOffer(rule.config) : null },
    referrerReward: rule?.active ? { points: rule.points } : null,
    stats: { clicks: s.clicks, pending: s.pending, completed: s.completed, conversionRate: conversionRate(s.pending, s.completed) },
  };
}

export type ReferralView = Awaited<ReturnType<typeof view>>;

export async function getReferral(ctx: AppContext, orgId: string, customerId: string): Promise<ReferralView> {
  const customer = await findCustomer(ctx.db, orgId, customerId);
  if (!customer) throw AppError.notFound('Customer', customerId);
  const link = await ensureLink(ctx.db, customer, ctx.clock.now());
  return view(ctx.db, ctx.config, customer, link);
}

type LinkChange = 'disable' | 'activate' | 'regenerate' | { discountCode: string | null };

async function changeLink(ctx: AppContext, orgId: string, customerId: string, change: LinkChange, actor: Actor): Promise<ReferralView> {
  const result = await withTx(ctx.db, async (tx: Tx) => {
    const now = ctx.clock.now();
    const customer = await lockForChange(tx, orgId, customerId);
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
      await repo.retireCode(tx, orgId, link.code_key, customerId, now);
      updated = await repo.updateLink(tx, orgId, customerId, { code, code_key: key, updated_at: now });
      type = 'referral.link_regenerated';
      summary = `Referral link regenerated: ${code} replaces ${link.code}, which now only lands on the store`;
      payload = { oldCode: link.code, newCode: code };
    } else {
      if (change.discountCode !== null) await refuseHeldFriendCode(tx, orgId, customerId, change.discountCode);
      updated = await repo.updateLink(tx, orgId, customerId, { friend_discount_code: change.discountCode, updated_at: now }).catch((err: unknown) => {
        if (isUniqueViolation(err, 'referral_links_friend_code_key')) throw friendCodeTaken(change.discountCode!, null);
        throw err;
      });
      type = 'referral.discount_code_changed';
      summary = change.discountCode ? `Friend discount code set to ${change.discountCode}` : 'Friend discount code cleared';
      payload = { previous: link.friend_discount_code, code: change.discountCode };
    }
    await recordActivity(tx, { orgId, customerId, type, actor, summary, payload, at: now });
    return { customer, link: updated };
  });
  return view(ctx.db, ctx.config, result.customer, result.link);
}

function friendCodeTaken(code: string, holder: string | null): AppError {
  return new AppError(
    'ALREADY_EXISTS',
    `The friend discount code ${code} already belongs to ${holder ? `customer ${holder}` : 'another customer'} of this organization; choose another code (codes are compared without case)`,
    { field: 'code', customerId: holder },
  );
}

/** A friend discount code belongs to one customer of the organization. */
async function refuseHeldFriendCode(tx: Tx, orgId: string, customerId: string, code: string): Promise<void> {
  const holder = await repo.findFriendCodeHolder(tx, orgId, code, customerId);
  if (holder) throw friendCodeTaken(code, holder.customer_id);
}

export const disableLink = (ctx: AppContext, orgId: string, id: string, actor: Actor) => changeLink(ctx, orgId, id, 'disable', actor);
export const activateLink = (ctx: AppContext, orgId: string, id: string, actor: Actor) => changeLink(ctx, orgId, id, 'activate', actor);
export const regenerateLink = (ctx: AppContext, orgId: string, id: string, actor: Actor) => changeLink(ctx, orgId, id, 'regenerate', actor);
export const setFriendDiscountCode = (ctx: AppContext, orgId: string, id: string, code: string | null, actor: Actor) => changeLink(ctx, orgId, id, { discountCode: code }, actor);

function settingsView(row: SettingsRow) {
  return { landingUrl: row?.landing_url ?? null, storefrontUrl: row?.storefront_url ?? null, updatedAt: row?.updated_at.toISOString() ?? null };
}

export async function getReferralSettings(ctx: AppContext, orgId: string) {
  return settingsView(await repo.getSettings(ctx.db, orgId));
}

export async function saveReferralSettings(ctx: AppContext, orgId: string, input: { landingUrl?: string | null | undefined; storefrontUrl?: string | null | undefined }) {
  const patch: repo.SettingsPatch = {
    ...(input.landingUrl !== undefined ? { landing_url: input.landingUrl } : {}),
    ...(input.storefrontUrl !== undefined ? { storefront_url: input.storefrontUrl?.replace(/\/+$/, '') ?? null } : {}),
  };
  return settingsView(await repo.saveSettings(ctx.db, orgId, patch, ctx.clock.now()));
}

/**
 * A visit to /r/{code}: records the click and answers where to send the visitor. Only an
 * active link of a member starts tracking (a click id for the `patron_ref` cookie); a
 * disabled link, or the link of a customer who left, still lands on the store. A replaced
 * code lands on its organization's landing page and an unknown code on "/", tracking nothing.
 */
export async function visitLink(ctx: AppContext, rawCode: string): Promise<{ location: string; clickId: string | null }> {
  const key = canonicalCode(rawCode);
  if (!key) return { location: DEFAULT_LANDING_URL, clickId: null };
  const links = await repo.findLinksByCodeAnyOrg(ctx.db, key);
  const link = links.length === 1 ? links[0]! : null;
  if (!link) {
    if (links.length > 1) ctx.logger.error({ codeKey: key }, 'referral code used by more than one organization');
    const retired = links.length === 0 ? await repo.findRetiredCodeAnyOrg(ctx.db, key) : [];
    const orgId = retired.length === 1 ? retired[0]!.org_id : null;
    return { location: orgId ? landingOf(await repo.getSettings(ctx.db, orgId)) : DEFAULT_LANDING_URL, clickId: null };
  }
  const now = ctx.clock.now();
  const owner = await repo.linkOwner(ctx.db, link.org_id, link.customer_id);
  const tracked = link.status === 'active' && owner?.membership_type === 'member' && !owner.anonymized_at;
  const clickId = newId(now.getTime());
  await repo.insertClick(ctx.db, { org_id: link.org_id, id: clickId, referrer_customer_id: link.customer_id, tracked, created_at: now });
  const landing = landingOf(await repo.getSettings(ctx.db, link.org_id));
  if (!tracked) return { location: landing, clickId: null };
  const [base, hash] = landing.split('#', 2) as [string, string | undefined];
  const location = `${base}${base.includes('?') ? '&' : '?'}patron_ref=${clickId}${hash !== undefined ? `#${hash}` : ''}`;
  return { location, clickId };
}
