/**
 * Tier rules: qualification windows, tier selection from progress, manual
 * floors, next-tier hints and downgrade timing. Progress and thresholds are
 * bigints: points, minor units of money, or an order count depending on basis.
 */
import { addDays, daysInMonth, localDateInTimeZone, zonedParts, zonedTimeToInstant } from './dates.js';
import { formatMoney } from './money.js';

export type TierBasis = 'points_earned' | 'amount_spent' | 'orders_count';
export type TierWindow = 'lifetime' | 'calendar_year' | 'rolling_12_months';

export interface TierDef {
  id: string;
  name: string;
  rank: number;
  /** Points, minor units, or order count depending on the program's basis. */
  threshold: bigint;
}

/** `start` is inclusive, `end` exclusive; null means unbounded. */
export interface WindowBounds {
  start: Date | null;
  end: Date | null;
}

const DAY_MS = 86_400_000;

function millis(d: Date): number {
  return ((d.getTime() % 1000) + 1000) % 1000;
}

/**
 * Qualification window containing `now`:
 * - lifetime: { null, null }
 * - calendar_year: local Jan 1 00:00 in `timeZone` to next local Jan 1 00:00 (DST-safe)
 * - rolling_12_months: same local wall time 12 months earlier (Feb 29 -> Feb 28) to null
 */
export function windowBounds(window: TierWindow, now: Date, timeZone: string): WindowBounds {
  switch (window) {
    case 'lifetime':
      return { start: null, end: null };
    case 'calendar_year': {
      const { year } = zonedParts(now, timeZone);
      return {
        start: zonedTimeToInstant({ year, month: 1, day: 1 }, timeZone),
        end: zonedTimeToInstant({ year: year + 1, month: 1, day: 1 }, timeZone),
      };
    }
    case 'rolling_12_months': {
      const p = zonedParts(now, timeZone);
      const year = p.year - 1;
      const day = Math.min(p.day, daysInMonth(year, p.month));
      const start = zonedTimeToInstant({ ...p, year, day }, timeZone);
      return { start: new Date(start.getTime() + millis(now)), end: null };
    }
    default:
      throw new RangeError(`Unknown tier window '${String(window satisfies never)}'`);
  }
}

function betterTier(a: TierDef, b: TierDef): TierDef {
  if (a.threshold !== b.threshold) return a.threshold > b.threshold ? a : b;
  if (a.rank !== b.rank) return a.rank > b.rank ? a : b;
  return a.id <= b.id ? a : b;
}

/**
 * The tier with the highest threshold <= progress (ties: higher rank, then smaller id).
 * Negative progress counts as 0, so a threshold-0 tier is always the base tier.
 * Null when no tier qualifies.
 */
export function tierForProgress(tiers: readonly TierDef[], progress: bigint): TierDef | null {
  const effective = progress < 0n ? 0n : progress;
  let best: TierDef | null = null;
  for (const tier of tiers) {
    if (tier.threshold <= effective) best = best === null ? tier : betterTier(best, tier);
  }
  return best;
}

/** A manual assignment acts as a floor: returns the higher-ranked of the two (evaluated on ties). */
export function applyFloor(evaluated: TierDef | null, manualFloor: TierDef | null): TierDef | null {
  if (manualFloor === null) return evaluated;
  if (evaluated === null) return manualFloor;
  return manualFloor.rank > evaluated.rank ? manualFloor : evaluated;
}

export interface NextTier {
  tier: TierDef;
  /** Always > 0. */
  missing: bigint;
}

/**
 * The lowest-ranked tier above `current` (any tier when current is null) that
 * progress has not reached yet, with how much is missing; null at the top.
 */
export function nextTier(tiers: readonly TierDef[], current: TierDef | null, progress: bigint): NextTier | null {
  const effective = progress < 0n ? 0n : progress;
  let best: TierDef | null = null;
  for (const tier of tiers) {
    if (current !== null && tier.rank <= current.rank) continue;
    if (tier.threshold <= effective) continue;
    if (best === null || tier.rank < best.rank || (tier.rank === best.rank && tier.threshold < best.threshold)) {
      best = tier;
    }
  }
  return best === null ? null : { tier: best, missing: best.threshold - effective };
}

export interface ProgressExplanationInput {
  basis: TierBasis;
  missing: bigint;
  /** Required when basis is 'amount_spent'. */
  currency?: string;
  nextTierName: string;
  /** Exclusive end of the window (from windowBounds); null for open windows. */
  windowEnd: Date | null;
  timeZone: string;
}

function plural(n: bigint, one: string, many: string): string {
  return `${n} more ${n === 1n ? one : many}`;
}

/**
 * "needs 180.00 USD more spend by 2026-12-31 for Gold", "needs 3 more orders for Gold",
 * "needs 250 more points by 2026-12-31 for Gold". The date is the last local day
 * inside the window (the day before the exclusive windowEnd).
 */
export function progressExplanation(input: ProgressExplanationInput): string {
  const { basis, missing, currency, nextTierName, windowEnd, timeZone } = input;
  if (missing <= 0n) return `already qualifies for ${nextTierName}`;
  let need: string;
  switch (basis) {
    case 'amount_spent':
      if (currency === undefined) throw new RangeError('currency is required for amount_spent progress');
      need = `${formatMoney(missing, currency)} ${currency} more spend`;
      break;
    case 'orders_count':
      need = plural(missing, 'order', 'orders');
      break;
    case 'points_earned':
      need = plural(missing, 'point', 'points');
      break;
    default:
      throw new RangeError(`Unknown tier basis '${String(basis satisfies never)}'`);
  }
  const by = windowEnd === null ? '' : ` by ${localDateInTimeZone(new Date(windowEnd.getTime() - 1), timeZone)}`;
  return `needs ${need}${by} for ${nextTierName}`;
}

export interface DowngradeInput {
  current: TierDef | null;
  evaluated: TierDef | null;
  /** Exclusive end of the qualification window; null for open windows (lifetime, rolling). */
  windowEnd: Date | null;
  graceDays: number;
  now: Date;
  /** When given, grace days are local calendar days in this zone; otherwise 24-hour days. */
  timeZone?: string;
}

export interface DowngradeAssessment {
  /** True when the customer should move down to `target` now. */
  applies: boolean;
  target: TierDef | null;
  /** windowEnd + graceDays; null when not a downgrade or the window is open. */
  effectiveAt: Date | null;
  reason: string;
}

/**
 * Decides whether a lower evaluated tier replaces the current tier now. With a
 * fixed window the downgrade waits until now >= windowEnd + graceDays; with an
 * open window (windowEnd null) it applies immediately.
 */
export function assessDowngrade(input: DowngradeInput): DowngradeAssessment {
  const { current, evaluated, windowEnd, graceDays, now, timeZone } = input;
  if (!Number.isSafeInteger(graceDays) || graceDays < 0) {
    throw new RangeError(`graceDays must be a non-negative integer, got ${graceDays}`);
  }
  const target = evaluated;
  if (current === null || (evaluated !== null && evaluated.rank >= current.rank)) {
    return { applies: false, target, effectiveAt: null, reason: 'not a downgrade' };
  }
  if (windowEnd === null) {
    return { applies: true, target, effectiveAt: null, reason: 'open window: downgrade applies immediately' };
  }
  let effectiveAt: Date;
  if (timeZone === undefined) {
    effectiveAt = new Date(windowEnd.getTime() + graceDays * DAY_MS);
  } else {
    const local = zonedParts(windowEnd, timeZone);
    const shifted = zonedTimeToInstant({ ...local, ...addDays(local, graceDays) }, timeZone);
    effectiveAt = new Date(shifted.getTime() + millis(windowEnd));
  }
  const applies = now.getTime() >= effectiveAt.getTime();
  const when = effectiveAt.toISOString();
  return {
    applies,
    target,
    effectiveAt,
    reason: applies ? `grace period ended at ${when}` : `downgrade deferred until ${when}`,
  };
}
