import { SYSTEM_ACTOR, type AppContext } from '../../context.js';
import { withTx } from '../../db/tx.js';
import { applyFloor, assessDowngrade, tierForProgress, windowBounds, type TierDef, type WindowBounds } from '../../core/tiers.js';
import { lockCustomer } from '../points/points.repo.js';
import * as repo from './tiers.repo.js';
// Installs the tier hooks (orders, ledger) in processes that only run jobs.
import './tiers.customer.service.js';
import { CAUSE_OF_BASIS, changeTier, currentWindow, defOf, loadTierContext, progressIn, upgradeIfQualified, type TierContext } from './tiers.progress.js';

const BATCH = 200;
const DAY_MS = 86_400_000;

function higher(a: TierDef | null, b: TierDef | null): TierDef | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.rank > a.rank ? b : a;
}

/**
 * The tier a customer keeps at this assessment and the window end the downgrade waits for:
 * - calendar year: the better of last year's and this year's progress; a downgrade waits
 *   until last year's window end + grace days;
 * - rolling 12 months: the better of the progress now and as it stood grace days ago
 *   (so a customer keeps the tier for grace days after dropping below its threshold);
 * - lifetime: never downgrades (returns null).
 */
async function keptTier(tc: TierContext, customerId: string, progressNow: number, now: Date, tx: Parameters<typeof progressIn>[0]) {
  const { window, graceDays } = tc.settings;
  if (window === 'lifetime') return null;
  const nowTier = tierForProgress(tc.defs, BigInt(progressNow));
  if (window === 'calendar_year') {
    const cur = currentWindow(tc, now);
    const prev = windowBounds('calendar_year', new Date(cur.start!.getTime() - 1), tc.timezone);
    const prevTier = tierForProgress(tc.defs, BigInt(await progressIn(tx, tc, customerId, prev)));
    return { evaluated: higher(prevTier, nowTier), windowEnd: prev.end };
  }
  const back = new Date(now.getTime() - graceDays * DAY_MS);
  const earlier: WindowBounds = { start: windowBounds('rolling_12_months', back, tc.timezone).start, end: back };
  const earlierTier = graceDays > 0 ? tierForProgress(tc.defs, BigInt(await progressIn(tx, tc, customerId, earlier))) : null;
  return { evaluated: higher(earlierTier, nowTier), windowEnd: null };
}

/**
 * The scheduled tier assessment for one organization ('tiers.assess'): refreshes cached
 * progress, upgrades customers whose progress qualifies, and applies downgrades whose
 * window (plus grace days) has ended, never below a manual floor. Each customer is one
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
        if (await upgradeIfQualified(tx, ctx, tc, customer, progress, how)) {
          result.upgraded++;
          return;
        }
        const current = defOf(tc, customer.tier_id);
        const kept = current ? await keptTier(tc, id, progress, now, tx) : null;
        if (!current || !kept) return;
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
