import type { AppContext } from '../../context.js';
import type { Executor } from '../../db/tx.js';
import type { EventType } from '../../events/catalog.js';
import type { StoredEvent } from '../../events/types.js';
import { activeReferralLink } from '../referrals/index.js';
import type { LoyaltyProfile } from './marketing.http.js';
import * as repo from './marketing.repo.js';

/** How far ahead "points expiring" looks. */
export const EXPIRING_WINDOW_DAYS = 30;

/**
 * Why a customer is not sent to the tools, or null when they are: an anonymized customer
 * never is, and both tools identify a profile by its email address.
 */
export function skipReason(customer: Pick<repo.CustomerRecord, 'email' | 'anonymized_at'>): string | null {
  if (customer.anonymized_at) return 'The customer was anonymized';
  if (!customer.email) return 'The customer has no email address';
  return null;
}

/** The profile sent to every tool: identity and the loyalty properties, read now. */
export async function buildProfile(ctx: AppContext, db: Executor, c: repo.CustomerRecord): Promise<LoyaltyProfile> {
  const now = ctx.clock.now();
  const tier = await ctx.events.profileSections.tier(ctx, db, c);
  const expiring = await repo.expiringPoints(db, c.org_id, c.id, now, new Date(now.getTime() + EXPIRING_WINDOW_DAYS * 86_400_000));
  return {
    customerId: c.id,
    email: c.email!,
    firstName: c.first_name,
    lastName: c.last_name,
    phone: c.phone,
    properties: {
      patron_points_balance: c.points_active,
      patron_points_pending: c.points_pending,
      patron_tier: tier?.name ?? null,
      patron_tier_progress: tier ? (tier.next?.explanation ?? `${tier.name} is the highest tier`) : null,
      patron_membership: c.membership_type,
      patron_referral_link: await activeReferralLink(ctx.config, db, c.org_id, c.id),
      patron_points_expiring: expiring.points,
      patron_points_expiring_at: expiring.at?.toISOString() ?? null,
      patron_last_reward_code: await repo.lastRewardCode(db, c.org_id, c.id),
    },
  };
}

/** Catalog events that change what a customer's profile shows (they mark the customer for a sync). */
export const PROFILE_EVENTS: readonly EventType[] = [
  'points.earned',
  'points.adjusted',
  'points.redeemed',
  'points.restored',
  'points.reversed',
  'points.expired',
  'points.activated',
  'points.expiring',
  'custom_action.removed',
  'tier.changed',
  'membership.changed',
  'customer.created',
  'customer.registered',
  'customer.anonymized',
  'coupon.used',
  'coupon.revoked',
  'coupon.expired',
  'reward.redeemed',
  'referral.completed',
];

/** The loyalty events sent to the tools as their own events, by the name flows trigger on. */
export const LOYALTY_EVENT_NAMES: Partial<Record<EventType, string>> = {
  'points.earned': 'Patron Points Earned',
  'reward.redeemed': 'Patron Reward Redeemed',
  'tier.changed': 'Patron Tier Changed',
  'points.expiring': 'Patron Points Expiring',
};

/** The customer an event is about (the referrer for a completed referral). */
export function customerOf(event: StoredEvent): string | null {
  const p = event.payload as Record<string, unknown>;
  const id = event.type === 'referral.completed' ? p.referrerCustomerId : p.customerId;
  return typeof id === 'string' ? id : null;
}

/** The properties of a loyalty event: what happened, with names rather than ids where staff chose them. */
export async function loyaltyEventProperties(db: Executor, event: StoredEvent): Promise<Record<string, unknown>> {
  const p = event.payload as Record<string, unknown>;
  if (event.type === 'points.earned') return { points: p.points, kind: p.kind, order_id: p.orderId ?? null, entry_id: p.entryId };
  if (event.type === 'points.expiring') return { points: p.points, expires_at: p.expiresAt };
  if (event.type === 'tier.changed') {
    const names = await repo.tierNames(db, event.orgId, [p.previousTierId, p.tierId].filter((x): x is string => typeof x === 'string'));
    return {
      previous_tier: typeof p.previousTierId === 'string' ? (names.get(p.previousTierId) ?? null) : null,
      tier: typeof p.tierId === 'string' ? (names.get(p.tierId) ?? null) : null,
      cause: p.cause,
    };
  }
  if (event.type === 'reward.redeemed') {
    const coupon = await repo.couponOf(db, event.orgId, String(p.couponId));
    return { points: p.points, reward: coupon?.reward_name ?? null, code: coupon?.code ?? null, issued_via: p.issuedVia };
  }
  return {};
}
