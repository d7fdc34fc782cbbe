import type { AppContext } from '../../context.js';
import { SYSTEM_ACTOR } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import * as repo from './rewards.repo.js';

const BATCH = 500;

/**
 * Marks coupons whose validity ended as expired, each batch in one transaction with its
 * timeline events. Only still-active coupons change, so a second run (or a second worker)
 * finds nothing to do.
 */
export async function expireCoupons(ctx: AppContext, orgId: string): Promise<{ expired: number }> {
  const now = ctx.clock.now();
  let expired = 0;
  for (;;) {
    const n = await withTx(ctx.db, async (tx) => {
      const rows = await repo.expireDueCoupons(tx, orgId, now, BATCH);
      for (const c of rows) {
        await recordActivity(tx, {
          orgId,
          customerId: c.customer_id,
          type: 'coupon.expired',
          actor: SYSTEM_ACTOR,
          summary: `Coupon ${c.code} ("${c.reward_name}") expired unused`,
          payload: { couponId: c.id, code: c.code, expiresAt: c.expires_at?.toISOString() ?? null },
          at: now,
        });
        await emit(tx, ctx, { type: 'coupon.expired', orgId, payload: { customerId: c.customer_id, couponId: c.id } }, { actor: SYSTEM_ACTOR, at: now });
      }
      return rows.length;
    });
    expired += n;
    if (n < BATCH) break;
  }
  return { expired };
}
