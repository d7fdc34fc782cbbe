import type { AppContext } from '../../context.js';
import { systemClock } from '../../context.js';
import { pageOf } from '../../db/paging.js';
import type { Executor } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { encodeCursor, readCursor } from '../../http/cursor.js';
import { displayName } from '../customers/index.js';
import { basisValue, progressUnit } from '../tiers/index.js';
import type { TierBasis } from '../../core/tiers.js';
import * as repo from './grid.repo.js';
import type { CustomerWhere } from './grid.repo.js';
import { ACTIVE_DAYS, type CustomerFilter, type GridRow, type SortKey, SORT_KEYS } from './grid.schemas.js';

export type { CustomerFilter } from './grid.schemas.js';

/** A filter checked and bound to one organization: `where` includes `org_id = orgId`. */
export interface ResolvedCustomerFilter {
  orgId: string;
  filter: CustomerFilter;
  /** Use on a query over `customers`: `db.selectFrom('customers').where(resolved.where)`. */
  where: CustomerWhere;
}

function conditions(filter: Omit<CustomerFilter, 'segment'>, now: Date): CustomerWhere[] {
  const out: CustomerWhere[] = [];
  if (filter.search) out.push(repo.searchCondition(filter.search));
  const membership = filter.membership;
  if (membership && membership.length > 0) out.push((eb) => eb('membership_type', 'in', membership));
  const tiers = filter.tier;
  if (tiers && tiers.length > 0) {
    const ids = tiers.filter((t) => t !== 'none');
    const none = tiers.includes('none');
    out.push((eb) => eb.or([...(ids.length > 0 ? [eb('tier_id', 'in', ids)] : []), ...(none ? [eb('tier_id', 'is', null)] : [])]));
  }
  if (filter.activity) {
    const cutoff = new Date(now.getTime() - ACTIVE_DAYS * 86_400_000);
    const active = filter.activity === 'active';
    out.push((eb) => eb(repo.ACTIVITY_KEY, active ? '>=' : '<', cutoff));
  }
  const state = filter.accountState;
  if (state) out.push((eb) => eb('account_state', '=', state));
  const excluded = filter.excluded;
  if (excluded !== undefined) out.push((eb) => eb('excluded_from_reports', '=', excluded));
  if (filter.marketingSync === 'failed') out.push(repo.marketingSyncFailed);
  return out;
}

/**
 * Resolves a grid filter for one organization (the grid, export, bulk actions and the
 * membership bulk change share it). A `segment` is loaded and ANDed with the other
 * conditions; an unknown segment is a 404. `now` anchors the activity rule: pass
 * `ctx.clock.now()`.
 */
export async function resolveCustomerFilter(db: Executor, orgId: string, filter: CustomerFilter, now: Date = systemClock.now()): Promise<ResolvedCustomerFilter> {
  const parts = conditions(filter, now);
  if (filter.segment) {
    const saved = await repo.segmentFilter(db, orgId, filter.segment);
    if (!saved) throw AppError.notFound('Segment', filter.segment);
    parts.push(...conditions(saved, now));
  }
  return {
    orgId,
    filter,
    where: (eb) => eb.and([eb('org_id', '=', orgId), ...parts.map((p) => p(eb))]),
  };
}

/** Walks the matching customer ids in batches (id order), for bulk actions. */
export async function* customerIdBatches(db: Executor, resolved: ResolvedCustomerFilter, batchSize = 500): AsyncGenerator<string[]> {
  let after: string | null = null;
  for (;;) {
    const ids = await repo.idsAfter(db, resolved.where, after, batchSize);
    if (ids.length === 0) return;
    yield ids;
    after = ids[ids.length - 1]!;
    if (ids.length < batchSize) return;
  }
}

export const COUNT_CAP = 10_000;

/** Above this planner estimate the exact count is not even tried (it would read too many rows). */
export const ESTIMATE_ONLY_ABOVE = 50_000;

/**
 * The grid total: exact up to 10,000 matches (a count that stops at 10,001); beyond, the
 * planner's estimate, marked exact=false. When the planner already expects more than
 * 50,000 matches the capped count is skipped (it would cost more than the page itself).
 */
export async function countMatches(db: Executor, resolved: ResolvedCustomerFilter): Promise<{ value: number; exact: boolean }> {
  const estimate = await repo.estimateCount(db, resolved.where);
  if (estimate > ESTIMATE_ONLY_ABOVE) return { value: estimate, exact: false };
  const n = await repo.countUpTo(db, resolved.where, COUNT_CAP + 1);
  if (n <= COUNT_CAP) return { value: n, exact: true };
  return { value: Math.max(COUNT_CAP + 1, estimate), exact: false };
}

interface GridCursor {
  s: SortKey;
  d: boolean;
  v: string;
  id: string;
}

const isGridCursor = (v: unknown): v is GridCursor => {
  const c = v as Partial<GridCursor> | null;
  return typeof c === 'object' && c !== null && SORT_KEYS.includes(c.s as SortKey) && typeof c.d === 'boolean' && typeof c.v === 'string' && typeof c.id === 'string';
};

export function parseSort(sort: string): { key: SortKey; desc: boolean } {
  const desc = sort.startsWith('-');
  return { key: (desc ? sort.slice(1) : sort) as SortKey, desc };
}

export interface GridQuery {
  filter: CustomerFilter;
  sort: string;
  limit: number;
  cursor?: string | undefined;
}

export function toGridRow(r: repo.GridDbRow, tierNames: Map<string, string>, unit: { basis: TierBasis; currency: string }): GridRow {
  return {
    id: r.id,
    name: displayName(r),
    email: r.email,
    phone: r.phone,
    membershipType: r.membership_type,
    accountState: r.account_state,
    points: r.points_active,
    tier: r.tier_id ? { id: r.tier_id, name: tierNames.get(r.tier_id) ?? null } : null,
    tierProgress: basisValue(unit.basis, r.tier_progress, unit.currency),
    birthday: r.birthday,
    tierUpdatedAt: r.tier_updated_at?.toISOString() ?? null,
    lastActivityAt: r.last_activity_at?.toISOString() ?? null,
    excludedFromReports: r.excluded_from_reports,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

/** One grid page: keyset on (sort value, id), so paging never skips or repeats a row. */
export async function listGrid(ctx: AppContext, orgId: string, q: GridQuery) {
  const { key, desc } = parseSort(q.sort);
  let after: { v: string; id: string } | null = null;
  const scope = { list: 'customers', orgId };
  const c = readCursor(ctx, scope, q.cursor, isGridCursor);
  if (c) {
    if (c.s !== key || c.d !== desc) throw AppError.validation('cursor', 'belongs to another sort order; start again without it');
    after = { v: c.v, id: c.id };
  }
  const resolved = await resolveCustomerFilter(ctx.db, orgId, q.filter, ctx.clock.now());
  // The first page's total is counted beside the page (two connections on PostgreSQL).
  const [rows, counted] = await Promise.all([
    repo.listRows(ctx.db, resolved.where, { sort: key, desc, after, limit: q.limit + 1 }),
    q.cursor ? Promise.resolve(null) : countMatches(ctx.db, resolved),
  ]);
  const { page, next } = pageOf(rows, q.limit, (last) => ({ s: key, d: desc, v: last.sort_value, id: last.id }));
  const tierIds = [...new Set(page.map((r) => r.tier_id).filter((t): t is string => t !== null))];
  const names = tierIds.length > 0 ? await repo.tierNames(ctx.db, orgId, tierIds) : new Map<string, string>();
  const unit = await progressUnit(ctx.db, orgId);
  return {
    items: page.map((r) => toGridRow(r, names, unit)),
    nextCursor: next ? encodeCursor(ctx, scope, next) : null,
    // A first page that holds every match is its own exact total.
    total: counted === null ? null : rows.length <= q.limit ? { value: rows.length, exact: true } : counted,
  };
}
