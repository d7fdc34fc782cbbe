import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TierDef } from '../../../src/core/tiers.js';
import {
  applyFloor,
  assessDowngrade,
  nextTier,
  progressExplanation,
  tierForProgress,
  windowBounds,
} from '../../../src/core/tiers.js';

const bronze: TierDef = { id: 'bronze', name: 'Bronze', rank: 0, threshold: 0n };
const silver: TierDef = { id: 'silver', name: 'Silver', rank: 1, threshold: 500n };
const gold: TierDef = { id: 'gold', name: 'Gold', rank: 2, threshold: 2000n };
const tiers = [gold, bronze, silver];

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

describe('windowBounds', () => {
  it('lifetime is unbounded', () => {
    expect(windowBounds('lifetime', new Date('2026-05-01T00:00:00Z'), 'UTC')).toEqual({ start: null, end: null });
  });

  it('calendar_year uses the local new year in the organization time zone', () => {
    const b = windowBounds('calendar_year', new Date('2026-05-01T00:00:00Z'), 'Europe/Berlin');
    expect([iso(b.start), iso(b.end)]).toEqual(['2025-12-31T23:00:00.000Z', '2026-12-31T23:00:00.000Z']);
    const ny = windowBounds('calendar_year', new Date('2026-07-04T12:00:00Z'), 'America/New_York');
    expect([iso(ny.start), iso(ny.end)]).toEqual(['2026-01-01T05:00:00.000Z', '2027-01-01T05:00:00.000Z']);
  });

  it('calendar_year picks the local year near midnight on Dec 31', () => {
    const instant = new Date('2025-12-31T23:30:00Z');
    expect(iso(windowBounds('calendar_year', instant, 'UTC').start)).toBe('2025-01-01T00:00:00.000Z');
    expect(iso(windowBounds('calendar_year', instant, 'Asia/Tokyo').start)).toBe('2025-12-31T15:00:00.000Z');
    expect(iso(windowBounds('calendar_year', instant, 'America/Los_Angeles').end)).toBe('2026-01-01T08:00:00.000Z');
  });

  it('calendar_year is DST-safe in the southern hemisphere (summer offset on Jan 1)', () => {
    const b = windowBounds('calendar_year', new Date('2026-06-01T00:00:00Z'), 'Pacific/Auckland');
    expect([iso(b.start), iso(b.end)]).toEqual(['2025-12-31T11:00:00.000Z', '2026-12-31T11:00:00.000Z']);
  });

  it('rolling_12_months starts at the same local time a year earlier', () => {
    const b = windowBounds('rolling_12_months', new Date('2026-05-10T12:34:56.789Z'), 'UTC');
    expect([iso(b.start), b.end]).toEqual(['2025-05-10T12:34:56.789Z', null]);
    const leap = windowBounds('rolling_12_months', new Date('2024-02-29T12:00:00Z'), 'UTC');
    expect(iso(leap.start)).toBe('2023-02-28T12:00:00.000Z');
    // keeps local wall time across DST: 12:00 Berlin summer -> 12:00 Berlin a year earlier
    const berlin = windowBounds('rolling_12_months', new Date('2026-07-01T10:00:00Z'), 'Europe/Berlin');
    expect(iso(berlin.start)).toBe('2025-07-01T10:00:00.000Z');
  });

  it('property: calendar_year window contains now and starts at local midnight Jan 1', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('UTC', 'Europe/London', 'America/Sao_Paulo', 'Asia/Kolkata', 'Pacific/Chatham'),
        fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2060-01-01T00:00:00Z'), noInvalidDate: true }),
        (tz, now) => {
          const { start, end } = windowBounds('calendar_year', now, tz);
          if (start === null || end === null) throw new Error('expected bounds');
          expect(start.getTime()).toBeLessThanOrEqual(now.getTime());
          expect(now.getTime()).toBeLessThan(end.getTime());
          const local = new Intl.DateTimeFormat('en-CA', { timeZone: tz, dateStyle: 'short' });
          expect(local.format(start).slice(5)).toBe('01-01');
          expect(local.format(end).slice(5)).toBe('01-01');
          expect(local.format(new Date(end.getTime() - 1)).slice(5)).toBe('12-31');
        },
      ),
    );
  });

  it('throws for unknown time zones and windows', () => {
    expect(() => windowBounds('calendar_year', new Date(0), 'Nowhere/City')).toThrow(RangeError);
    expect(() => windowBounds('weekly' as 'lifetime', new Date(0), 'UTC')).toThrow(RangeError);
  });
});

describe('tierForProgress', () => {
  it('picks the highest threshold reached', () => {
    expect(tierForProgress(tiers, 0n)).toBe(bronze);
    expect(tierForProgress(tiers, 499n)).toBe(bronze);
    expect(tierForProgress(tiers, 500n)).toBe(silver);
    expect(tierForProgress(tiers, 1_999n)).toBe(silver);
    expect(tierForProgress(tiers, 10n ** 20n)).toBe(gold);
  });

  it('negative progress still gets the base tier', () => {
    expect(tierForProgress(tiers, -50n)).toBe(bronze);
  });

  it('null when nothing qualifies', () => {
    expect(tierForProgress([silver, gold], 100n)).toBeNull();
    expect(tierForProgress([], 100n)).toBeNull();
  });

  it('breaks equal thresholds by rank', () => {
    const dup: TierDef = { id: 'dup', name: 'Dup', rank: 5, threshold: 500n };
    expect(tierForProgress([silver, dup], 600n)).toBe(dup);
  });
});

describe('applyFloor', () => {
  it('returns the higher-ranked tier', () => {
    expect(applyFloor(bronze, gold)).toBe(gold);
    expect(applyFloor(gold, silver)).toBe(gold);
    expect(applyFloor(silver, silver)).toBe(silver);
    expect(applyFloor(null, silver)).toBe(silver);
    expect(applyFloor(silver, null)).toBe(silver);
    expect(applyFloor(null, null)).toBeNull();
  });
});

describe('nextTier', () => {
  it('finds the next tier and what is missing', () => {
    expect(nextTier(tiers, bronze, 120n)).toEqual({ tier: silver, missing: 380n });
    expect(nextTier(tiers, silver, 600n)).toEqual({ tier: gold, missing: 1400n });
    expect(nextTier(tiers, gold, 5000n)).toBeNull();
  });

  it('with a manual floor above progress, looks above the floor', () => {
    expect(nextTier(tiers, silver, 10n)).toEqual({ tier: gold, missing: 1990n });
  });

  it('with no current tier, suggests the lowest unreached tier', () => {
    expect(nextTier([silver, gold], null, 100n)).toEqual({ tier: silver, missing: 400n });
  });

  it('skips tiers already reached', () => {
    expect(nextTier(tiers, bronze, 700n)).toEqual({ tier: gold, missing: 1300n });
  });
});

describe('progressExplanation', () => {
  const windowEnd = new Date('2026-12-31T23:00:00Z'); // 2027-01-01 00:00 Berlin
  const common = { nextTierName: 'Gold', windowEnd, timeZone: 'Europe/Berlin' };

  it('describes spend, orders and points', () => {
    expect(progressExplanation({ ...common, basis: 'amount_spent', missing: 18000n, currency: 'USD' })).toBe(
      'needs 180.00 USD more spend by 2026-12-31 for Gold',
    );
    expect(progressExplanation({ ...common, basis: 'orders_count', missing: 3n })).toBe(
      'needs 3 more orders by 2026-12-31 for Gold',
    );
    expect(progressExplanation({ ...common, basis: 'orders_count', missing: 1n })).toBe(
      'needs 1 more order by 2026-12-31 for Gold',
    );
    expect(progressExplanation({ ...common, basis: 'points_earned', missing: 250n })).toBe(
      'needs 250 more points by 2026-12-31 for Gold',
    );
    expect(progressExplanation({ ...common, basis: 'points_earned', missing: 1n })).toBe(
      'needs 1 more point by 2026-12-31 for Gold',
    );
  });

  it('uses the local last day of the window', () => {
    expect(progressExplanation({ ...common, timeZone: 'UTC', basis: 'points_earned', missing: 5n })).toBe(
      'needs 5 more points by 2026-12-31 for Gold',
    );
    const utcEnd = new Date('2027-01-01T00:00:00Z');
    expect(progressExplanation({ ...common, windowEnd: utcEnd, timeZone: 'UTC', basis: 'points_earned', missing: 5n })).toBe(
      'needs 5 more points by 2026-12-31 for Gold',
    );
  });

  it('omits the date for open windows and handles zero missing', () => {
    expect(progressExplanation({ ...common, windowEnd: null, basis: 'amount_spent', missing: 500n, currency: 'JPY' })).toBe(
      'needs 500 JPY more spend for Gold',
    );
    expect(progressExplanation({ ...common, basis: 'points_earned', missing: 0n })).toBe('already qualifies for Gold');
  });

  it('requires a currency for spend', () => {
    expect(() => progressExplanation({ ...common, basis: 'amount_spent', missing: 1n })).toThrow(RangeError);
  });
});

describe('assessDowngrade', () => {
  const windowEnd = new Date('2027-01-01T00:00:00Z');

  it('is not a downgrade when evaluated is equal or higher', () => {
    const now = new Date('2030-01-01T00:00:00Z');
    expect(assessDowngrade({ current: silver, evaluated: gold, windowEnd, graceDays: 0, now })).toMatchObject({
      applies: false,
      effectiveAt: null,
    });
    expect(assessDowngrade({ current: silver, evaluated: silver, windowEnd, graceDays: 0, now }).applies).toBe(false);
    expect(assessDowngrade({ current: null, evaluated: null, windowEnd, graceDays: 0, now }).applies).toBe(false);
  });

  it('waits until windowEnd + graceDays', () => {
    const at = (now: string) =>
      assessDowngrade({ current: gold, evaluated: silver, windowEnd, graceDays: 30, now: new Date(now) });
    const before = at('2027-01-30T23:59:59.999Z');
    expect(before.applies).toBe(false);
    expect(before.reason).toBe('downgrade deferred until 2027-01-31T00:00:00.000Z');
    expect(iso(before.effectiveAt)).toBe('2027-01-31T00:00:00.000Z');
    const exact = at('2027-01-31T00:00:00.000Z');
    expect(exact).toEqual({
      applies: true,
      target: silver,
      effectiveAt: new Date('2027-01-31T00:00:00.000Z'),
      reason: 'grace period ended at 2027-01-31T00:00:00.000Z',
    });
  });

  it('with no grace, applies from windowEnd; a downgrade to no tier is supported', () => {
    const r = assessDowngrade({ current: bronze, evaluated: null, windowEnd, graceDays: 0, now: windowEnd });
    expect(r.applies).toBe(true);
    expect(r.target).toBeNull();
    expect(assessDowngrade({ current: gold, evaluated: bronze, windowEnd, graceDays: 0, now: new Date('2026-12-31T23:59:59Z') }).applies).toBe(false);
  });

  it('counts grace days as local calendar days when a time zone is given (across DST)', () => {
    const berlinEnd = new Date('2026-12-31T23:00:00Z'); // 2027-01-01 00:00 CET
    const r = assessDowngrade({
      current: gold, evaluated: silver, windowEnd: berlinEnd, graceDays: 100, now: berlinEnd, timeZone: 'Europe/Berlin',
    });
    // 2027-04-11 00:00 CEST (UTC+2)
    expect(iso(r.effectiveAt)).toBe('2027-04-10T22:00:00.000Z');
    const utc = assessDowngrade({ current: gold, evaluated: silver, windowEnd: berlinEnd, graceDays: 100, now: berlinEnd });
    expect(iso(utc.effectiveAt)).toBe('2027-04-10T23:00:00.000Z');
  });

  it('open windows downgrade immediately', () => {
    const r = assessDowngrade({ current: gold, evaluated: silver, windowEnd: null, graceDays: 30, now: windowEnd });
    expect(r).toMatchObject({ applies: true, target: silver, effectiveAt: null });
  });

  it('rejects invalid grace days', () => {
    const base = { current: gold, evaluated: silver, windowEnd, now: windowEnd };
    expect(() => assessDowngrade({ ...base, graceDays: -1 })).toThrow(RangeError);
    expect(() => assessDowngrade({ ...base, graceDays: 1.5 })).toThrow(RangeError);
  });
});
