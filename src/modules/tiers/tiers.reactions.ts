import type { EarnMultiplier, ProfileSections } from '../../events/types.js';
import { reaction } from '../../events/types.js';
import { tierProfileLoader } from './tiers.customer.service.js';
import { CAUSE_OF_BASIS, evaluateUpgrade } from './tiers.progress.js';
import * as repo from './tiers.repo.js';
import { multiplierOf } from './tiers.service.js';

/** Ledger events: every entry the ledger writes announces one of these (with countsTowardTier). */
const LEDGER_EVENTS = ['points.earned', 'points.adjusted', 'points.redeemed', 'points.restored', 'points.reversed', 'points.expired', 'points.activated'] as const;

/**
 * Tiers react in the qualifying transaction: a tier-relevant ledger entry re-evaluates a
 * points-based tier; a counted order re-evaluates a spend- or order-based tier.
 */
export const tiersReactions = [
  ...LEDGER_EVENTS.map((type) =>
    reaction(
      type,
      `tiers.upgrade-on-${type}`,
      async (tx, ctx, e, scope) => {
        if (!e.payload.countsTowardTier || !scope.customer) return;
        const settings = await repo.findSettings(tx, e.orgId);
        if ((settings?.basis ?? 'points_earned') !== 'points_earned') return;
        await evaluateUpgrade(tx, ctx, scope.customer, 'points', e.payload.kind === 'earn_order' ? e.payload.orderId : null, scope.actor);
      },
      (e) => e.payload.countsTowardTier,
    ),
  ),
  reaction('order.counted', 'tiers.upgrade-on-counted-order', async (tx, ctx, e, scope) => {
    if (!scope.customer) return;
    const settings = await repo.findSettings(tx, e.orgId);
    if (!settings || settings.basis === 'points_earned') return;
    await evaluateUpgrade(tx, ctx, scope.customer, CAUSE_OF_BASIS[settings.basis], e.payload.orderId, scope.actor);
  }),
];

/** Orders earn more in a tier with a multiplier. */
export const tiersEarnMultiplier: EarnMultiplier = async (db, orgId, customer) => {
  if (!customer.tier_id) return { factor: '1', label: null };
  const tier = await repo.findTier(db, orgId, customer.tier_id);
  if (!tier) return { factor: '1', label: null };
  const factor = multiplierOf(tier);
  return { factor, label: factor === '1' ? null : `${tier.name} x${factor}` };
};

/** The profile's tier section (none until tiers are configured). */
export const tiersProfile: ProfileSections = {
  tier: (ctx, db, row) => tierProfileLoader(ctx.clock)(db, row),
};
