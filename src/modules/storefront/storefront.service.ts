import { createHash } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { formatMoney, parseMoney } from '../../core/money.js';
import { nextTier, tierForProgress, windowBounds, type TierBasis } from '../../core/tiers.js';
import { AppError } from '../../errors.js';
import type { VerifiedCaller } from '../../http/security.js';
import { recordActivity } from '../activity/index.js';
import { getProgram } from '../program/index.js';
import { setPreferences } from '../preferences/index.js';
import { getReferral } from '../referrals/index.js';
import { redeemReward } from '../rewards/index.js';
import { progressIn, loadTierContext } from '../tiers/index.js';
import { customerActor, viewerOf } from './storefront.identity.js';
import * as repo from './storefront.repo.js';
import { loadSettings, themeOf } from './storefront.settings.js';

/** Points expiring within this many days are shown as "expiring soon". */
export const EXPIRING_SOON_DAYS = 30;
const HISTORY_LIMIT = 20;
const COUPON_LIMIT = 20;

type CustomerRow = NonNullable<Awaited<ReturnType<typeof repo.customerById>>>;
type Standing = { kind: 'visitor' } | { kind: 'member' | 'guest'; customer: CustomerRow; preview: boolean };

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** "$180.00": exact (the amount goes to Intl as a decimal string, never through a float). */
export function moneyText(minor: number | bigint, currency: string): string {
  const amount = formatMoney(BigInt(minor), currency) as `${number}`;
  try {
    return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount);
  } catch {
    return `${amount} ${currency}`;
  }
}

function trimPercent(p: string): string {
  return p.includes('.') ? p.replace(/0+$/, '').replace(/\.$/, '') : p;
}

interface RewardLike {
  type: string;
  value_minor: number | string | null;
  value_percent: string | null;
  points_cost?: number;
}

export function rewardDescription(r: RewardLike, currency: string): string {
  if (r.value_percent !== null) return `${trimPercent(r.value_percent)}% off`;
  if (r.type === 'free_shipping') return 'Free shipping';
  if (r.type === 'free_product') return 'A free product';
  if (r.value_minor !== null) {
    const v = moneyText(BigInt(r.value_minor), currency);
    return r.type === 'variable' && r.points_cost !== undefined ? `${v} off for every ${plural(r.points_cost, 'point')}` : `${v} off`;
  }
  return 'A reward';
}

function friendOfferText(config: unknown, currency: string): string | null {
  const c = (typeof config === 'string' ? JSON.parse(config) : config) as { friendDiscount?: { type?: unknown; value?: unknown } } | null;
  const d = c?.friendDiscount;
  if (!d || (typeof d.value !== 'string' && typeof d.value !== 'number')) return null;
  const value = String(d.value);
  if (d.type === 'percentage') return `${trimPercent(value)}% off their first order`;
  if (/^\d+(\.\d+)?$/.test(value)) {
    try {
      const [whole, frac = ''] = value.split('.');
      const digits = currency === 'JPY' ? 0 : 2;
      const minor = BigInt(whole!) * 10n ** BigInt(digits) + BigInt((frac + '00').slice(0, digits) || '0');
      return `${moneyText(minor, currency)} off their first order`;
    } catch {
      return null;
    }
  }
  return null;
}

function notInProgram(): AppError {
  return new AppError('NOT_IN_PROGRAM', 'This customer is not part of the loyalty program', {});
}

/** Who the caller is in the program; a customer who left (or was anonymized) is refused with 403 NOT_IN_PROGRAM. */
async function standingOf(ctx: AppContext, caller: VerifiedCaller): Promise<Standing> {
  const viewer = viewerOf(caller);
  if (viewer.kind === 'visitor') return { kind: 'visitor' };
  const customer = await repo.customerById(ctx.db, caller.orgId, viewer.customerId);
  if (!customer) throw new AppError('TOKEN_INVALID', 'The customer of this token no longer exists');
  const type = viewer.preview ?? (customer.anonymized_at ? 'left' : customer.membership_type);
  if (type === 'left') throw notInProgram();
  return { kind: type, customer, preview: viewer.preview !== null };
}

function tierRequirement(basis: TierBasis, threshold: number, currency: string, window: string): string {
  const within = window === 'calendar_year' ? ' in a calendar year' : window === 'rolling_12_months' ? ' in 12 months' : '';
  if (basis === 'amount_spent') return `Spend ${moneyText(threshold, currency)}${within}`;
  if (basis === 'orders_count') return `Place ${plural(threshold, 'order')}${within}`;
  return `Earn ${plural(threshold, 'point')}${within}`;
}

function tierBenefits(t: { earn_multiplier: string; entry_points: number; birthday_points: number | null }): string[] {
  const out: string[] = [];
  const m = trimPercent(t.earn_multiplier);
  if (m !== '1' && m !== '0') out.push(`${m}x points on purchases`);
  if (t.entry_points > 0) out.push(`${plural(t.entry_points, 'bonus point')} when you reach this tier`);
  if (t.birthday_points) out.push(`${plural(t.birthday_points, 'point')} on your birthday`);
  return out;
}

const RULE_TEXT: Record<string, string> = {
  signup: 'Create an account',
  birthday: 'Celebrate your birthday with us',
  anniversary: 'Celebrate your anniversary with us',
  custom_action: 'Complete this action',
  referral: 'Refer a friend who places an order',
};

async function programView(ctx: AppContext, orgId: string) {
  const [org, program, settings, rewards, tierRows, tierSettings, rules] = await Promise.all([
    repo.organization(ctx.db, orgId),
    getProgram(ctx.db, orgId),
    loadSettings(ctx, orgId),
    repo.activeRewards(ctx.db, orgId),
    repo.tiers(ctx.db, orgId),
    repo.tierBasis(ctx.db, orgId),
    repo.activeEarningRules(ctx.db, orgId),
  ]);
  const currency = org.currency.trim();
  const one = moneyText(10n ** BigInt(formatMoney(1n, currency).split('.')[1]?.length ?? 0), currency);
  const basis = tierSettings?.basis ?? 'points_earned';
  const window = tierSettings?.qualification_window ?? 'lifetime';
  const referralRule = rules.find((r) => r.kind === 'referral');
  return {
    organization: { name: org.name, currency },
    waysToEarn: [
      { kind: 'purchase', title: 'Shop with us', description: `${trimPercent(program.earnRate)} point${program.earnRate === '1' ? '' : 's'} for every ${one} you spend`, points: null },
      ...rules.map((r) => ({ kind: r.kind, title: r.name, description: RULE_TEXT[r.kind] ?? r.name, points: r.points })),
    ],
    rewards: rewards.map((r) => ({
      id: r.id,
      name: r.name,
      type: r.type,
      pointsCost: r.points_cost,
      description: rewardDescription(r, currency),
      value: r.value_minor === null ? null : { amount: formatMoney(BigInt(r.value_minor), currency), currency },
      percentOff: r.value_percent === null ? null : trimPercent(r.value_percent),
    })),
    tiers: tierRows.map((t) => ({ id: t.id, name: t.name, requirement: tierRequirement(basis, t.threshold, currency, window), benefits: tierBenefits(t) })),
    referral: referralRule ? { referrerPoints: referralRule.points, friendOffer: friendOfferText(referralRule.config, currency) } : null,
    guestEarning: program.guestEarning,
    theme: themeOf(settings),
  };
}

export async function getProgramView(ctx: AppContext, caller: VerifiedCaller) {
  await standingOf(ctx, caller);
  return programView(ctx, caller.orgId);
}

function localDay(d: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone }).format(d);
}

/** The customer's tier and, in words, what the next one still needs ("Spend $180.00 more by 31 Dec for Gold"). */
async function tierView(ctx: AppContext, customer: CustomerRow) {
  const tc = await loadTierContext(ctx.db, customer.org_id);
  if (!tc) return null;
  const now = ctx.clock.now();
  const w = windowBounds(tc.settings.window, now, tc.timezone);
  const progress = BigInt(await progressIn(ctx.db, tc, customer.id, w));
  const current = tc.defs.find((d) => d.id === customer.tier_id) ?? null;
  const next = nextTier(tc.defs, current ?? tierForProgress(tc.defs, progress), progress);
  let message: string | null = null;
  let percent: number | null = null;
  if (next) {
    const by = w.end ? ` by ${localDay(new Date(w.end.getTime() - 1), tc.timezone)}` : '';
    const m = next.missing;
    const need =
      tc.settings.basis === 'amount_spent'
        ? `Spend ${moneyText(m, tc.currency)} more`
        : tc.settings.basis === 'orders_count'
          ? `Place ${plural(Number(m), 'more order')}`
          : `Earn ${plural(Number(m), 'more point')}`;
    message = `${need}${by} for ${next.tier.name}`;
    const done = progress < 0n ? 0n : progress;
    percent = next.tier.threshold > 0n ? Number((done * 100n) / next.tier.threshold) : 100;
  } else if (current) {
    message = `You are in our top tier, ${current.name}`;
    percent = 100;
  }
  return {
    current: current ? { id: current.id, name: current.name } : null,
    next: next ? { id: next.tier.id, name: next.tier.name } : null,
    progressPercent: percent === null ? null : Math.max(0, Math.min(100, percent)),
    message,
  };
}

const KIND_TEXT: Record<string, string> = {
  earn_order: 'Points for your order',
  earn_rule: 'Bonus points',
  manual_add: 'Points added',
  manual_deduct: 'Points removed',
  redeem: 'Points redeemed for a reward',
  coupon_refund: 'Points returned from a cancelled reward',
  order_reversal: 'Points removed after a refund',
  rule_reversal: 'Bonus points removed',
  expiry: 'Points expired',
  activation: 'Pending points now available',
};

export async function getMe(ctx: AppContext, caller: VerifiedCaller) {
  const standing = await standingOf(ctx, caller);
  const program = await programView(ctx, caller.orgId);
  const rewardsFor = (active: number | null) =>
    program.rewards.map((r) => {
      const toGo = active === null ? r.pointsCost : Math.max(0, r.pointsCost - active);
      const canRedeem = active !== null && toGo === 0;
      return { ...r, canRedeem, pointsToGo: toGo, status: active === null ? 'Create an account to redeem' : canRedeem ? 'You can redeem' : `${plural(toGo, 'point')} to go` };
    });
  if (standing.kind !== 'member') {
    const c = standing.kind === 'guest' ? standing.customer : null;
    return {
      type: 'guest' as const,
      preview: standing.kind === 'guest' && standing.preview,
      customer: c ? { firstName: c.first_name } : null,
      message: c ? 'Create an account to redeem rewards and see your points.' : 'Create an account to earn points on every order and redeem them for rewards.',
      balance: null,
      pointsWaiting: c && program.guestEarning ? c.points_active + c.points_pending : null,
      tier: null,
      rewards: rewardsFor(null),
      history: [],
      coupons: [],
      referral: null,
      preferences: null,
    };
  }
  const c = standing.customer;
  const orgId = caller.orgId;
  const now = ctx.clock.now();
  const [expiring, pending, entries, couponRows, tier, referral] = await Promise.all([
    repo.expiringLots(ctx.db, orgId, c.id, now, new Date(now.getTime() + EXPIRING_SOON_DAYS * 86_400_000)),
    repo.pendingLots(ctx.db, orgId, c.id),
    repo.visibleEntries(ctx.db, orgId, c.id, HISTORY_LIMIT),
    repo.coupons(ctx.db, orgId, c.id, COUPON_LIMIT),
    tierView(ctx, c),
    getReferral(ctx, orgId, c.id),
  ]);
  const currency = program.organization.currency;
  return {
    type: 'member' as const,
    preview: standing.preview,
    customer: { firstName: c.first_name },
    message: null,
    balance: {
      active: c.points_active,
      pending: c.points_pending,
      expiringSoon: expiring.map((l) => ({ points: l.remaining, expiresAt: l.expires_at!.toISOString() })),
      pendingUntil: pending.map((l) => ({ points: l.remaining, availableAt: l.activates_at?.toISOString() ?? null })),
    },
    pointsWaiting: null,
    tier,
    rewards: rewardsFor(c.points_active),
    history: entries
      .map((e) => ({ id: e.id, points: e.active_delta + e.pending_delta, pending: e.pending_delta !== 0 && e.active_delta === 0, message: e.customer_message ?? KIND_TEXT[e.kind] ?? 'Points', createdAt: e.created_at.toISOString() }))
      .filter((e) => e.points !== 0),
    coupons: couponRows.map((k) => ({
      code: k.code,
      rewardName: k.reward_name,
      description: rewardDescription({ type: k.reward_type, value_minor: k.value_minor, value_percent: k.value_percent }, k.currency.trim() || currency),
      status: k.status === 'active' && k.expires_at !== null && k.expires_at <= now ? ('expired' as const) : k.status,
      expiresAt: k.expires_at?.toISOString() ?? null,
      createdAt: k.created_at.toISOString(),
    })),
    referral: {
      link: referral.link,
      code: referral.code,
      referrerPoints: referral.referrerReward?.points ?? null,
      friendOffer: program.referral?.friendOffer ?? null,
      stats: { clicks: referral.stats.clicks, pending: referral.stats.pending, completed: referral.stats.completed },
    },
    preferences: c.notification_prefs,
  };
}

/** Writes need a real (not previewed) customer of the given kinds. */
function writer(standing: Standing, what: string, kinds: ('member' | 'guest')[]): CustomerRow {
  if (standing.kind === 'visitor') throw new AppError('MEMBERS_ONLY', `Sign in to your account to ${what}`, { requires: 'member' });
  if (standing.preview) throw new AppError('PERMISSION_DENIED', `This is an admin preview of the widget: it cannot ${what}`, { preview: true });
  if (!kinds.includes(standing.kind)) {
    throw new AppError('MEMBERS_ONLY', `Only members can ${what}; create an account or join the program first`, { requires: 'member', membershipType: standing.kind });
  }
  return standing.customer;
}

const requestHash = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('hex');

function redemptionReplyOf(r: Awaited<ReturnType<typeof redeemReward>>, currency: string) {
  const k = r.coupon;
  return {
    coupon: {
      code: k.code,
      rewardName: k.reward.name,
      description: k.percentOff !== null ? `${k.percentOff}% off` : k.value ? `${moneyText(parseMoney(k.value.amount, k.value.currency), k.value.currency)} off` : rewardDescription({ type: k.reward.type, value_minor: null, value_percent: null }, currency),
      status: k.status,
      expiresAt: k.expiresAt,
      createdAt: k.createdAt,
    },
    balance: { active: r.balances.active, pending: r.balances.pending },
  };
}

/**
 * A member redeems a reward with the same service (rules, codes, Shopify discount codes) as
 * staff redemption. With an Idempotency-Key the key is claimed, the redemption made and its
 * reply stored in one transaction: a double click or a retry waits for the first and gets
 * its reply, so it issues one coupon.
 */
export async function redeem(ctx: AppContext, caller: VerifiedCaller, body: { rewardId: string; points?: number | undefined }, idempotencyKey: string | undefined) {
  const customer = writer(await standingOf(ctx, caller), 'redeem rewards', ['member']);
  const orgId = caller.orgId;
  const currency = (await repo.organization(ctx.db, orgId)).currency.trim();
  const actor = customerActor(customer.id, 'The customer');
  if (idempotencyKey === undefined) return { status: 201, reply: redemptionReplyOf(await redeemReward(ctx, orgId, customer.id, body, actor), currency) };
  if (!idempotencyKey || idempotencyKey.length > 200 || !/^[\x21-\x7e]+$/.test(idempotencyKey)) {
    throw AppError.validation('Idempotency-Key', 'must be 1-200 visible ASCII characters (a UUID works well)');
  }
  const hash = requestHash(body);
  const scopes = ctx.database.scopes;
  const scope = await scopes.open();
  try {
    const out = await scopes.run(scope, async () => {
      const claimed = await repo.claimRedemptionKey(ctx.db, { org_id: orgId, customer_id: customer.id, idempotency_key: idempotencyKey, request_hash: hash, created_at: ctx.clock.now() });
      if (!claimed) {
        const first = await repo.findRedemptionKey(ctx.db, orgId, customer.id, idempotencyKey);
        if (!first || first.request_hash !== hash) {
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used for another redemption; use a new key for a new redemption', { key: idempotencyKey });
        }
        const stored = (typeof first.reply === 'string' ? JSON.parse(first.reply) : first.reply) as ReturnType<typeof redemptionReplyOf>;
        return { status: 200, reply: stored, replayed: true };
      }
      const reply = redemptionReplyOf(await redeemReward(ctx, orgId, customer.id, body, actor), currency);
      await repo.storeRedemptionReply(ctx.db, orgId, customer.id, idempotencyKey, reply);
      return { status: 201, reply, replayed: false };
    });
    await scopes.commit(scope);
    return out;
  } catch (err) {
    await scopes.rollback(scope);
    throw err;
  }
}

export async function updatePreferences(ctx: AppContext, caller: VerifiedCaller, patch: Record<string, boolean | undefined>) {
  const customer = writer(await standingOf(ctx, caller), 'change notification preferences', ['member', 'guest']);
  return setPreferences(ctx, caller.orgId, customer.id, patch, customerActor(customer.id, 'The customer'));
}

/** Records that the member shared their referral link (the timeline shows where). */
export async function recordShare(ctx: AppContext, caller: VerifiedCaller, channel: string): Promise<void> {
  const customer = writer(await standingOf(ctx, caller), 'share a referral link', ['member']);
  await recordActivity(ctx.db, {
    orgId: caller.orgId,
    customerId: customer.id,
    type: 'referral.shared',
    actor: customerActor(customer.id, 'The customer'),
    summary: `Referral link shared (${channel})`,
    payload: { channel },
    at: ctx.clock.now(),
  });
}

/** What a friend who arrived through a referral link sees: who invited them and their offer. */
export async function referralLanding(ctx: AppContext, caller: VerifiedCaller, clickId: string) {
  await standingOf(ctx, caller);
  const orgId = caller.orgId;
  const click = /^[0-9A-Za-z_-]{1,100}$/.test(clickId) ? await repo.clickWithLink(ctx.db, orgId, clickId) : undefined;
  const valid = !!click && click.tracked && click.status === 'active' && !click.anonymized_at;
  if (!valid) return { valid: false, referrerFirstName: null, friendOffer: null, discountCode: null };
  const [rule, org] = await Promise.all([repo.referralRule(ctx.db, orgId), repo.organization(ctx.db, orgId)]);
  return {
    valid: true,
    referrerFirstName: click.first_name,
    friendOffer: rule?.active ? friendOfferText(rule.config, org.currency.trim()) : null,
    discountCode: click.friend_discount_code,
  };
}
