import { SYSTEM_ACTOR, type AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { applyFloor, assessDowngrade } from '../../core/tiers.js';
import { lockCustomer } from '../points/index.js';
import * as repo from './tiers.repo.js';
// Installs the tier hooks (orders, ledger) in processes that only run jobs.
import './tiers.customer.service.js';
import { CAUSE_OF_BASIS, changeTier, currentWindow, defOf, loadTierContext, progressIn, upgradeIfQualified } from './tiers.progress.js';
import { keptTier } from './tiers.standing.js';

const BATCH = 200;

/**
 * The scheduled tier assessment for one organization ('tiers.assess'): refreshes cached
 * progress, upgrades customers whose progress qualifies (not a manually assigned tier: only
 * qualifying activity raises it), and applies downgrades whose window (plus grace days) has
 * ended, never below a manual floor (lifetime tiers never go down). Each customer is one
 * transaction under its row lock; running it twice changes nothing more.
 */
export async function runTierAssessment(ctx: AppContext, orgId: string) {
  const result = { checked: 0, progressUpdated: 0, upgraded: 0, downgraded: 0, deferred: 0 };
  const first = await loadTierContext(ctx.db, orgId);
  if (!first) return result;
  const now = ctx.clock.now();
  let after: string | null = null;
  for (;;) {
    const batch = await repo.assessmentBatch(ctx.db, orgId, after, BATCH);
    for (const { id } of batch) {
      await withTx(ctx.db, async (tx) => {
        const customer = await lockCustomer(tx, orgId, id);
        if (!customer || customer.anonymized_at) return;
        const tc = (await loadTierContext(tx, orgId)) ?? first;
        result.checked++;
        const progress = await progressIn(tx, tc, id, currentWindow(tc, now));
        if (progress !== customer.tier_progress) {
          await repo.setCustomerTierState(tx, orgId, id, { tier_progress: progress, updated_at: now });
          customer.tier_progress = progress;
          result.progressUpdated++;
        }
        const how = { cause: CAUSE_OF_BASIS[tc.settings.basis], orderId: null, actor: SYSTEM_ACTOR, at: now };
        if (!customer.tier_manual && (await upgradeIfQualified(tx, ctx, tc, customer, progress, how))) {
          result.upgraded++;
          return;
        }
        const current = defOf(tc, customer.tier_id);
        if (!current || tc.settings.window === 'lifetime') return;
        const kept = await keptTier(tx, tc, id, progress, now);
        const floor = customer.tier_manual ? defOf(tc, (await repo.findFloor(tx, orgId, id))?.tier_id ?? null) : null;
        const decision = assessDowngrade({
          current,
          evaluated: applyFloor(kept.evaluated, floor),
          windowEnd: kept.windowEnd,
          graceDays: tc.settings.graceDays,
          now,
          timeZone: tc.timezone,
        });
        if (decision.effectiveAt === null && !decision.applies) return;
        if (!decision.applies) {
          result.deferred++;
          return;
        }
        await changeTier(tx, ctx, tc, customer, { to: decision.target, cause: 'assessment', orderId: null, actor: SYSTEM_ACTOR, at: now });
        result.downgraded++;
      });
    }
    if (batch.length < BATCH) break;
    after = batch[batch.length - 1]!.id;
  }
  return result;
}
