import { SYSTEM_ACTOR, type AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { recordActivity } from '../activity/index.js';
import type { EventType } from '../../events/catalog.js';
import type { OutboxConsumer } from '../../events/types.js';
import type { NotificationPrefs } from '../../db/types.js';
import * as repo from './wallet.core.repo.js';
import { contentHash, passContentWithPrefs } from './wallet.core.service.js';
import type { PassChangeKind, PassContent, PassPlatform, PlatformDelivery } from './wallet.platforms.js';
import { PLATFORMS } from './wallet.registry.js';

/** Events after which what a pass shows may have changed. */
export const PASS_CHANGE_EVENTS: readonly EventType[] = [
  'points.earned',
  'points.adjusted',
  'points.redeemed',
  'points.restored',
  'points.reversed',
  'points.expired',
  'points.activated',
  'custom_action.removed',
  'tier.changed',
  'reward.redeemed',
  'coupon.revoked',
  'membership.changed',
];

/** What changed between two contents, in terms of the customer's notification preferences. */
export function changeKinds(previous: PassContent | null, current: PassContent): PassChangeKind[] {
  if (!previous) return [];
  const kinds: PassChangeKind[] = [];
  if (previous.balance !== current.balance) kinds.push('balance');
  if (previous.tierName !== current.tierName) kinds.push('tier');
  if (current.rewardsAvailable.some((r) => !previous.rewardsAvailable.includes(r))) kinds.push('rewardAvailable');
  return kinds;
}

export const notifyOf = (prefs: NotificationPrefs): Record<PassChangeKind, boolean> => ({ balance: prefs.balance, tier: prefs.tier, rewardAvailable: prefs.rewardAvailable });

/**
 * Recomputes what the customer's pass shows; when it changed, records it (the pass's change
 * time moves, which Apple devices read as the update tag) and tells every configured
 * platform. A platform that throws makes this throw after the others were told, so the
 * outbox retries; the retry tells the platforms again because `notified_hash` was not set.
 */
export async function refreshPass(ctx: AppContext, orgId: string, customerId: string, platforms: readonly PassPlatform[] = PLATFORMS): Promise<PlatformDelivery[]> {
  const pass = await repo.findPassOfCustomer(ctx.db, orgId, customerId);
  if (!pass) return []; // never issued: nothing shows anything yet
  const { content, prefs } = await passContentWithPrefs(ctx, orgId, customerId);
  const hash = contentHash(content);
  if (hash !== pass.content_hash) {
    const at = ctx.clock.now();
    const won = await withTx(ctx.db, async (tx) => {
      if (!(await repo.swapPassContent(tx, orgId, customerId, pass.content_hash, { hash, content, at }))) return false;
      // Rewards the balance now pays for that it did not before: on the timeline once, with the change that recorded them.
      const fresh = pass.content ? content.rewardsAvailable.filter((r) => !pass.content!.rewardsAvailable.includes(r)) : [];
      if (fresh.length > 0) {
        await recordActivity(tx, {
          orgId,
          customerId,
          type: 'wallet.reward_available',
          actor: SYSTEM_ACTOR,
          summary: `${fresh.length === 1 ? 'Reward' : 'Rewards'} now redeemable: ${fresh.join(', ')} (balance ${content.balance.toLocaleString('en-US')} points)`,
          payload: { rewards: fresh, balance: content.balance },
          at,
        });
      }
      return true;
    });
    if (!won) return []; // another delivery recorded a newer content and tells the platforms
  } else if (pass.notified_hash === hash) {
    return [];
  }
  const kinds = changeKinds(pass.content_hash === hash ? null : pass.content, content);
  const change = { previous: pass.content, current: content, kinds, notify: notifyOf(prefs) };
  const deliveries: PlatformDelivery[] = [];
  let failure: Error | undefined;
  for (const platform of platforms) {
    try {
      if (!(await platform.configured(ctx, orgId))) continue;
      deliveries.push(await platform.passChanged(ctx, change));
    } catch (err) {
      failure ??= err instanceof Error ? err : new Error(String(err));
    }
  }
  if (failure !== undefined) throw failure;
  await repo.setNotifiedHash(ctx.db, orgId, customerId, hash);
  return deliveries;
}

export const passUpdatesConsumer: OutboxConsumer = {
  name: 'wallet.pass-updates',
  events: PASS_CHANGE_EVENTS,
  activeOrgs: (ctx, orgIds) => repo.orgsWithWallet(ctx.db, orgIds),
  async deliver(event, ctx) {
    const customerId = (event.payload as { customerId?: unknown }).customerId;
    if (typeof customerId !== 'string') return;
    await refreshPass(ctx, event.orgId, customerId);
  },
};
