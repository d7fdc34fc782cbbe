import type { Executor } from '../../db/tx.js';
import type { CustomerWhere } from '../grid/grid.repo.js';

export const EXPORT_COLUMNS = [
  'id',
  'external_id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'membership_type',
  'account_state',
  'points_active',
  'points_pending',
  'tier_id',
  'tier_progress',
  'tier_updated_at',
  'birthday',
  'anniversary',
  'orders_count',
  'lifetime_value_minor',
  'excluded_from_reports',
  'last_activity_at',
  'created_at',
  'updated_at',
] as const;

/** The export rows in id order, after `afterId` (PGlite pages with this; PostgreSQL runs it under a cursor). */
export function exportQuery(db: Executor, where: CustomerWhere, afterId: string | null, limit: number | null) {
  let q = db.selectFrom('customers').select(EXPORT_COLUMNS).where(where);
  if (afterId !== null) q = q.where('id', '>', afterId);
  q = q.orderBy('id');
  return limit === null ? q : q.limit(limit);
}

export type ExportRow = Awaited<ReturnType<ReturnType<typeof exportQuery>['execute']>>[number];
