/**
 * Where a customer stands against the tier rules (docs/tiers.md): the tier their progress
 * keeps under the qualification window, and the downgrade that is coming and when.
 */
import { applyFloor, assessDowngrade, tierForProgress, windowBounds, type TierDef, type WindowBounds } from '../../core/tiers.js';
import { localDateInTimeZone, zonedParts, zonedTimeToInstant } from '../../core/dates.js';
import type { Actor, AppContext } from '../../context.js';
import { canEarn } from '../../core/membership.js';
import type { Executor, Tx } from '../../db/tx.js';
import type { CustomerRow } from '../points/index.js';
import { getProgram } from '../program/index.js';
import * as repo from './tiers.repo.js';
import { AppError } from '../../errors.js';
import { getCustomerRow } from '../customers/index.js';
import { changeTier, currentWindow, defOf, dueEntryReward, loadTierContext, progressIn, rowOf, type TierContext } from './tiers.progress.js';
import { formatProgress } from './tiers.service.js';

const DAY_MS = 86_400_000;

export function higherTier(a: TierDef | null, b: TierDef | null): TierDef | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.rank > a.rank ? b : a;
}

const rankOf = (t: TierDef | null) => t?.rank ?? 0;

/** "120.00 USD", "3 orders", "1 point": a progress value with its unit, for sentences. */
export function progressText(tc: TierContext, value: number): string {
  const basis = tc.settings.basis;
  if (basis === 'amount_spent') return `${formatProgress(basis, value, tc.currency)} ${tc.currency}`;
  const unit = basis === 'orders_count' ? 'order' : 'point';
  return `${value} ${unit}${value === 1 ? '' : 's'}`;
}

/**
 * The tier a customer keeps at an assessment and the window end a downgrade waits for:
 * - calendar year: the better of last year's and this year's progress; a downgrade waits
 *   until last year's window end + grace days;
 * - rolling 12 months: the better of the progress now and as it stood grace days ago
 *   (so a customer keeps the tier for grace days after dropping below its threshold);
 * - lifetime: the tier the progress reaches (lifetime progress only shrinks by refunds).
 */
export async function keptTier(db: Executor, tc: TierContext, customerId: string, progressNow: number, now: Date): Promise<{ evaluated: TierDef | null; windowEnd: Date | null }> {
  const { window, graceDays } = tc.settings;
  const nowTier = tierForProgress(tc.defs, BigInt(progressNow));
  if (window === 'lifetime') return { evaluated: nowTier, windowEnd: null };
  if (window === 'calendar_year') {
    const prev = previousYear(tc, now);
    const prevTier = tierForProgress(tc.defs, BigInt(await progressIn(db, tc, customerId, prev)));
    return { evaluated: higherTier(prevTier, nowTier), windowEnd: prev.end };
  }
  const back = new Date(now.getTime() - graceDays * DAY_MS);
  const earlier: WindowBounds = { start: windowBounds('rolling_12_months', back, tc.timezone).start, end: back };
  const earlierTier = graceDays > 0 ? tierForProgress(tc.defs, BigInt(await progressIn(db, tc, customerId, earlier))) : null;
  return { evaluated: higherTier(earlierTier, nowTier), windowEnd: null };
}

function previousYear(tc: TierContext, now: Date): WindowBounds {
  const cur = currentWindow(tc, now);
  return windowBounds('calendar_year', new Date(cur.start!.getTime() - 1), tc.timezone);
}

export interface PendingDowngrade {
  /** The tier the customer moves to (null: no tier). */
  to: TierDef | null;
  /** When it takes effect: the first daily assessment on or after this instant applies it. */
  at: Date;
  reason: string;
}

/**
 * The downgrade that happens if the customer has no further qualifying activity: which
 * tier and when, never below a manual floor. Null when none is coming (lifetime windows,
 * a tier held by this window's progress, or a customer at their manual floor).
 */
export async function pendingDowngrade(
  db: Executor,
  tc: TierContext,
  customer: { id: string; tier_id: string | null; tier_manual: boolean },
  now: Date,
): Promise<PendingDowngrade | null> {
  const current = defOf(tc, customer.tier_id);
  if (!current || tc.settings.window === 'lifetime') return null;
  const floor = customer.tier_manual ? defOf(tc, (await repo.findFloor(db, tc.orgId, customer.id))?.tier_id ?? null) : null;
  if (floor && floor.rank >= current.rank) return null;
  const threshold = progressText(tc, Number(current.threshold));
  if (tc.settings.window === 'calendar_year') {
    const cur = currentWindow(tc, now);
    const prev = previousYear(tc, now);
    const pNow = await progressIn(db, tc, customer.id, cur);
    const tNow = tierForProgress(tc.defs, BigInt(pNow));
    const tPrev = tierForProgress(tc.defs, BigInt(await progressIn(db, tc, customer.id, prev)));
    const year = zonedParts(cur.start!, tc.timezone).year;
    const lastDay = localDateInTimeZone(new Date(cur.end!.getTime() - 1), tc.timezone);
    const short = `${progressText(tc, pNow)} in ${year} is below ${current.name} (${threshold})`;
    const keptNow = applyFloor(higherTier(tPrev, tNow), floor);
    if (rankOf(keptNow) < current.rank) {
      const at = effectiveAt(tc, current, keptNow, prev.end!, now);
      return { to: keptNow, at, reason: `${short} and ${year - 1} did not reach it either; unless it reaches ${threshold} first` };
    }
    const keptNext = applyFloor(tNow, floor);
    if (rankOf(keptNext) >= current.rank) return null;
    const at = effectiveAt(tc, current, keptNext, cur.end!, now);
    return { to: keptNext, at, reason: `${short}; unless it reaches ${threshold} by ${lastDay}` };
  }
  return rollingDowngrade(db, tc, customer.id, current, floor, now, threshold);
}

function effectiveAt(tc: TierContext, current: TierDef, target: TierDef | null, windowEnd: Date, now: Date): Date {
  const d = assessDowngrade({ current, evaluated: target, windowEnd, graceDays: tc.settings.graceDays, now, timeZone: tc.timezone });
  return d.effectiveAt!.getTime() < now.getTime() ? now : d.effectiveAt!;
}

/** The instant a contribution made at `x` leaves the rolling window (12 months later, local time). */
function leavesWindow(x: Date, timeZone: string): Date {
  const p = zonedParts(x, timeZone);
  const back = zonedTimeToInstant({ ...p, year: p.year + 1 }, timeZone);
  return new Date(back.getTime() + (x.getTime() % 1000) + 1);
}

/**
 * Rolling window: replays the dated contributions (no further activity) to find the first
 * assessment at which both the progress then and the progress grace days earlier are short.
 */
async function rollingDowngrade(db: Executor, tc: TierContext, customerId: string, current: TierDef, floor: TierDef | null, now: Date, threshold: string): Promise<PendingDowngrade | null> {
  const graceMs = tc.settings.graceDays * DAY_MS;
  const from = windowBounds('rolling_12_months', new Date(now.getTime() - graceMs), tc.timezone).start!;
  const parts = await repo.progressContributions(db, tc.orgId, customerId, from);
  const basis = tc.settings.basis;
  const dated: { at: Date; value: number }[] = [
    ...parts.orders.map((o) => ({ at: o.at, value: basis === 'amount_spent' ? o.spentMinor : basis === 'orders_count' ? 1 : 0 })),
    ...parts.points.map((p) => ({ at: p.at, value: basis === 'points_earned' ? p.points : 0 })),
    ...parts.adjustments.map((a) => ({ at: a.at, value: a.delta })),
  ].filter((c) => c.value !== 0);
  const progressAt = (s: Date) => {
    const start = windowBounds('rolling_12_months', s, tc.timezone).start!.getTime();
    return dated.reduce((sum, c) => (c.at.getTime() >= start && c.at.getTime() <= s.getTime() ? sum + c.value : sum), 0);
  };
  const tierAt = (s: Date) => tierForProgress(tc.defs, BigInt(progressAt(s)));
  const candidates = new Set<number>([now.getTime()]);
  for (const c of dated) {
    const out = leavesWindow(c.at, tc.timezone).getTime();
    candidates.add(out);
    candidates.add(out + graceMs);
    candidates.add(c.at.getTime() + 1 + graceMs);
  }
  for (const t of [...candidates].filter((t) => t >= now.getTime()).sort((a, b) => a - b)) {
    const at = new Date(t);
    const evaluated = graceMs > 0 ? higherTier(tierAt(at), tierAt(new Date(t - graceMs))) : tierAt(at);
    const to = applyFloor(evaluated, floor);
    if (rankOf(to) < current.rank) {
      const left = progressText(tc, progressAt(at));
      return { to, at, reason: `Progress in the 12 months before then is ${left}, below ${current.name} (${threshold}); unless new activity brings it to ${threshold}` };
    }
  }
  return null;
}

const WINDOW_PHRASE = { lifetime: 'in total', calendar_year: 'this year', rolling_12_months: 'in the last 12 months' } as const;

/** Why the customer holds `current`, in one sentence for staff. */
export async function tierReason(db: Executor, tc: TierContext, row: { id: string; tier_manual: boolean }, current: TierDef, progress: number): Promise<{ reason: string; manualTier: TierDef | null }> {
  const floorRow = row.tier_manual ? await repo.findFloor(db, tc.orgId, row.id) : undefined;
  const floor = floorRow ? defOf(tc, floorRow.tier_id) : null;
  const reached = tierForProgress(tc.defs, BigInt(progress));
  const earned = `${progressText(tc, progress)} ${WINDOW_PHRASE[tc.settings.window]}`;
  const starts = `${current.name} starts at ${progressText(tc, Number(current.threshold))}`;
  if (floor && floorRow && floor.id === current.id) {
    return { reason: `Manually assigned on ${localDateInTimeZone(floorRow.assigned_at, tc.timezone)}; progress: ${earned}`, manualTier: floor };
  }
  if (floor) return { reason: `Raised above the manually assigned ${floor.name} by progress: ${earned} (${starts})`, manualTier: floor };
  if (rankOf(reached) >= current.rank) return { reason: `Earned by progress: ${earned} (${starts})`, manualTier: null };
  if (tc.settings.window === 'lifetime') return { reason: `Kept: lifetime tiers never go down; progress ${earned} is below it (${starts})`, manualTier: null };
  return { reason: `Kept until the assessment moves it down: progress ${earned} is below it (${starts})`, manualTier: null };
}

/**
 * After a manual tier is released, progress that reaches a higher tier raises it at once
 * (like qualifying activity); a lower one is left to the assessment, which the profile
 * shows as a pending downgrade with its date. Returns the new tier when it moved.
 */
export async function settleReleasedTier(tx: Tx, ctx: AppContext, tc: TierContext, customer: CustomerRow, actor: Actor, at: Date): Promise<TierDef | null> {
  const progress = await progressIn(tx, tc, customer.id, currentWindow(tc, at));
  const reached = tierForProgress(tc.defs, BigInt(progress));
  if (rankOf(reached) <= rankOf(defOf(tc, customer.tier_id))) return null;
  const program = await getProgram(tx, tc.orgId);
  if (!canEarn(customer.membership_type, { guestEarning: program.guestEarning })) return null;
  const why = `${progressText(tc, progress)} ${WINDOW_PHRASE[tc.settings.window]}`;
  await changeTier(tx, ctx, tc, customer, { to: reached, cause: 'release', orderId: null, actor, at, why });
  return reached;
}

/** What assigning `tierId` by hand would do, for the dialog to say before confirming. */
export async function previewTierChange(db: Executor, orgId: string, customerId: string, tierId: string) {
  const customer = await getCustomerRow(db, orgId, customerId);
  const tc = await loadTierContext(db, orgId);
  const target = tc ? defOf(tc, tierId) : null;
  if (!tc || !target) throw AppError.notFound('Tier', tierId);
  const current = defOf(tc, customer.tier_id);
  const direction = rankOf(target) > rankOf(current) ? 'up' : rankOf(target) < rankOf(current) ? 'down' : 'same';
  const points = direction === 'up' ? await dueEntryReward(db, orgId, customer, rowOf(tc, target.id)) : 0;
  return {
    tier: { id: target.id, name: target.name },
    direction,
    entryReward: points > 0 ? { points, tierName: target.name } : null,
  } as const;
}
