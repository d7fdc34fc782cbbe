import type { AppContext } from '../../context.js';
import { createRule } from '../rules/index.js';
import { createTier, putTierSettings } from '../tiers/index.js';

/**
 * Demo program: Bronze (from the first 50.00 USD), Silver and Gold on yearly spend, and
 * signup, birthday, Instagram and referral rules. No tier starts at 0, so nobody who has
 * spent nothing holds a spend tier.
 */
export async function seedDemoProgram(ctx: AppContext, orgId: string): Promise<void> {
  await putTierSettings(ctx, orgId, { basis: 'amount_spent', window: 'calendar_year', graceDays: 30 });
  await createTier(ctx, orgId, { name: 'Bronze', threshold: '50.00' });
  await createTier(ctx, orgId, { name: 'Silver', threshold: '250.00', earnMultiplier: '1.25', entryPoints: 100 });
  await createTier(ctx, orgId, { name: 'Gold', threshold: '1000.00', earnMultiplier: '1.5', entryPoints: 250, birthdayPoints: 500 });
  await createRule(ctx, orgId, { kind: 'signup', name: 'Welcome bonus', points: 100 });
  await createRule(ctx, orgId, { kind: 'birthday', name: 'Birthday treat', points: 200 });
  await createRule(ctx, orgId, { kind: 'custom_action', key: 'instagram_follow', name: 'Follow us on Instagram', points: 50, perCustomerLimit: 1 });
  await createRule(ctx, orgId, { kind: 'referral', name: 'Refer a friend', points: 500, config: { friendDiscount: { type: 'percentage', value: '10' } } });
}

