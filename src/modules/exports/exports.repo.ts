import { sql, type RawBuilder } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { CustomerWhere } from '../grid/index.js';

const iso = (col: string): RawBuilder<string | null> => sql<string | null>`to_char(${sql.ref(col)} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The export columns as text formatted by PostgreSQL (ISO times, decimal money), in the
 * order of the CSV header, read as arrays (no per-row object). The tier name and the
 * currency are inserted by the service after `tier_id` and `lifetime_value`. Tier progress
 * is written as the API shows it: an amount ("110.50") when the basis is amount spent
 * (`progressIsMoney`), else an integer of points or orders.
 */
export function exportQuery(db: Executor, where: CustomerWhere, currencyExponent: number, afterId: string | null, limit: number | null, progressIsMoney = false) {
  const scale = sql.raw(String(Math.max(0, Math.min(4, Math.trunc(currencyExponent)))));
  const progress = progressIsMoney ? sql<string>`(tier_progress::numeric / 10 ^ ${scale})::numeric(24, ${scale})::text` : sql<string>`tier_progress::text`;
  let q = db
    .selectFrom('customers')
    .select([
      'id',
      'external_id',
      'first_name',
      'last_name',
      'email',
      'phone',
      'membership_type',
      'account_state',
      sql<string>`points_active::text`.as('points'),
      sql<string>`points_pending::text`.as('pending'),
      'tier_id',
      progress.as('tier_progress'),
      iso('tier_updated_at').as('tier_updated_at'),
      sql<string | null>`birthday::text`.as('birthday'),
      sql<string | null>`anniversary::text`.as('anniversary'),
      sql<string>`orders_count::text`.as('orders_count'),
      sql<string>`(lifetime_value_minor::numeric / 10 ^ ${scale})::numeric(24, ${scale})::text`.as('lifetime_value'),
      sql<string>`case when excluded_from_reports then 'true' else 'false' end`.as('excluded'),
      iso('last_activity_at').as('last_activity_at'),
      iso('created_at').as('created_at'),
      iso('updated_at').as('updated_at'),
    ])
    .where(where);
  if (afterId !== null) q = q.where('id', '>', afterId);
  q = q.orderBy('id');
  return limit === null ? q : q.limit(limit);
}

/** Positions in an export row (see exportQuery). */
export const COL = { id: 0, tierId: 10, lifetimeValue: 16 } as const;
/** Cells typed by people or platforms: external id, names, email, phone (neutralised against formulas). */
export const TEXT_COLUMNS: readonly boolean[] = [false, true, true, true, true, true];

export function tiersOf(db: Executor, orgId: string) {
  return db.selectFrom('tiers').select(['id', 'name']).where('org_id', '=', orgId).execute();
}

/** The organization's currency code (money columns are formatted in it). */
export async function orgCurrency(db: Executor, orgId: string): Promise<string> {
  const org = await db.selectFrom('organizations').select('currency').where('id', '=', orgId).executeTakeFirstOrThrow();
  return org.currency;
}
