import type { AppContext } from '../../context.js';
import { divRound, formatMoney } from '../../core/money.js';
import { zonedParts, zonedTimeToInstant } from '../../core/dates.js';
import { enqueue } from '../../jobs/queue.js';
import * as repo from './analytics.repo.js';
import type { AnalyticsCards } from './analytics.schemas.js';

export const ANALYTICS_REFRESH_JOB = 'analytics.refresh';
/** Organizations up to this many customers get live figures on every request. */
export const LIVE_LIMIT = 50_000;
/** Larger ones read the snapshot, refreshed in the background when older than this. */
export const SNAPSHOT_MAX_AGE_MS = 15 * 60 * 1000;
const DAY_MS = 86_400_000;

async function orgFacts(ctx: AppContext, orgId: string) {
  const org = await repo.orgCurrencyAndZone(ctx.db, orgId);
  return { currency: org.currency.trim(), timezone: org.timezone };
}

export function monthStart(now: Date, timeZone: string): Date {
  const p = zonedParts(now, timeZone);
  return zonedTimeToInstant({ year: p.year, month: p.month, day: 1 }, timeZone);
}

/** Computes every card from the tables (one pass over customers, one over two years of orders). */
export async function computeSnapshot(ctx: AppContext, orgId: string): Promise<repo.SnapshotRow> {
  const started = process.hrtime.bigint();
  const now = ctx.clock.now();
  const { timezone } = await orgFacts(ctx, orgId);
  const start = monthStart(now, timezone);
  const customers = await repo.customerFigures(ctx.db, orgId, start);
  const retention = await repo.retentionFigures(ctx.db, orgId, new Date(now.getTime() - 730 * DAY_MS), new Date(now.getTime() - 365 * DAY_MS), now);
  return {
    org_id: orgId,
    computed_at: now,
    month_start: start,
    ...customers,
    ...retention,
    duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
  };
}

function toCards(s: repo.SnapshotRow, currency: string, live: boolean): AnalyticsCards {
  const avg = s.valued_customers > 0 ? divRound(BigInt(s.value_sum_minor), BigInt(s.valued_customers), 'nearest') : null;
  const rate = s.retention_base > 0 ? divRound(BigInt(s.retention_kept) * 1000n, BigInt(s.retention_base), 'nearest') : null;
  return {
    totalCustomers: s.total_customers,
    activeThisMonth: s.active_this_month,
    averageCustomerValue: avg === null ? null : { amount: formatMoney(avg, currency), currency },
    customersWithOrders: s.valued_customers,
    retention: rate === null ? null : { rate: `${rate / 10n}.${rate % 10n}`, returning: s.retention_kept, base: s.retention_base },
    asOf: s.computed_at.toISOString(),
    live,
  };
}

/**
 * The cards. Small organizations get live figures; large ones the snapshot (computed once
 * on first request, then refreshed by the analytics.refresh job), so the reply stays fast
 * at millions of customers.
 */
export async function getCustomerAnalytics(ctx: AppContext, orgId: string): Promise<AnalyticsCards> {
  const { currency, timezone } = await orgFacts(ctx, orgId);
  const now = ctx.clock.now();
  if ((await repo.customersUpTo(ctx.db, orgId, LIVE_LIMIT + 1)) <= LIVE_LIMIT) return toCards(await computeSnapshot(ctx, orgId), currency, true);
  const snap = await repo.findSnapshot(ctx.db, orgId);
  const stale = !snap || now.getTime() - snap.computed_at.getTime() > SNAPSHOT_MAX_AGE_MS || snap.month_start.getTime() !== monthStart(now, timezone).getTime();
  if (!snap) {
    const fresh = await computeSnapshot(ctx, orgId);
    await repo.saveSnapshot(ctx.db, fresh);
    return toCards(fresh, currency, false);
  }
  if (stale) {
    const slot = Math.floor(now.getTime() / SNAPSHOT_MAX_AGE_MS);
    await enqueue(ctx.db, { orgId, type: ANALYTICS_REFRESH_JOB, payload: {}, runAt: now, dedupeKey: `analytics.refresh:${slot}`, maxAttempts: 3 });
  }
  return toCards(snap, currency, false);
}

/** The job: recompute and store the snapshot of a large organization (small ones are always live). */
export async function refreshAnalytics(ctx: AppContext, orgId: string): Promise<Record<string, unknown>> {
  if ((await repo.customersUpTo(ctx.db, orgId, LIVE_LIMIT + 1)) <= LIVE_LIMIT) return { skipped: 'live' };
  const snap = await computeSnapshot(ctx, orgId);
  await repo.saveSnapshot(ctx.db, snap);
  return { durationMs: snap.duration_ms, totalCustomers: snap.total_customers };
}
