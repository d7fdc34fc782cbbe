import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { DB } from '../../db/types.js';
import type { SortKey } from './grid.schemas.js';
import { foldSearch } from './search-fold.js';
import type {} from './grid.tables.js';

/*
 * The SQL expressions below are the exact expressions indexed by migrations 0007_grid.sql and
 * 0016_grid_search_fold.sql: change one only together with a new migration, or the planner
 * stops using the index.
 */

/** Folded search text: name, email, phone as typed, phone digits, external id (trigram GIN index). */
export const SEARCH_TEXT = sql<string>`patron_customer_search_text(first_name, last_name, email, phone, external_id)`;
const FIRST_NAME = sql<string>`patron_fold(first_name)`;
const LAST_NAME = sql<string>`patron_fold(last_name)`;
const EMAIL = sql<string>`lower(email)`;
const PHONE_DIGITS = sql<string>`regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g')`;
/** What the grid sorts "name" by: the display name, or the email when there is no name. */
export const NAME_KEY = sql<string>`lower(coalesce(nullif(btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), ''), email, ''))`;
/** Never-active customers sort as the oldest activity. */
export const ACTIVITY_KEY = sql<Date>`coalesce(last_activity_at, '-infinity'::timestamptz)`;

interface SortSpec {
  expr: RawBuilder<unknown>;
  cast: RawBuilder<unknown>;
  /**
   * Sorted by a key every ledger change moves: its index is on customer_balances (alias b),
   * kept equal to the customers row, so the customers row has no index on it (HOT updates).
   */
  balances?: true;
}

export const SORTS: Record<SortKey, SortSpec> = {
  name: { expr: NAME_KEY, cast: sql`text` },
  points: { expr: sql`b.points_active`, cast: sql`int8`, balances: true },
  tierProgress: { expr: sql`tier_progress`, cast: sql`int8` },
  lastActivity: { expr: sql`coalesce(b.last_activity_at, '-infinity'::timestamptz)`, cast: sql`timestamptz`, balances: true },
  created: { expr: sql`created_at`, cast: sql`timestamptz` },
};

export type CustomerWhere = (eb: ExpressionBuilder<DB, 'customers'>) => Expression<SqlBool>;

/** Escapes LIKE wildcards so a search term matches literally. */
export function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Substring (3+ characters, trigram index) or prefix (1-2 characters, btree prefix indexes)
 * search, accent-insensitive (both sides folded: "zoe" finds "Zoë"). A short term also
 * matches an external id exactly (unique index).
 */
/** Customers whose sync to a connected marketing tool failed (the marketing feature's table). */
export const marketingSyncFailed: CustomerWhere = (eb) =>
  eb.exists(
    eb
      .selectFrom('marketing_sync')
      .select(sql<number>`1`.as('one'))
      .whereRef('marketing_sync.org_id', '=', 'customers.org_id')
      .whereRef('marketing_sync.customer_id', '=', 'customers.id')
      .where('marketing_sync.state', '=', 'failed'),
  );

export function searchCondition(term: string): CustomerWhere {
  const raw = term.trim();
  const t = foldSearch(raw).replace(/\s+/g, ' ');
  const digits = t.replace(/[^0-9]/g, '');
  const phoneLike = /^[+0-9 ().-]+$/.test(t) && digits.length > 0;
  if (t.length >= 3) {
    const needle = phoneLike && digits.length >= 3 ? digits : t;
    return () => sql<SqlBool>`${SEARCH_TEXT} like ${'%' + likeEscape(needle) + '%'}`;
  }
  const prefix = likeEscape(t) + '%';
  return (eb) =>
    eb.or([
      eb(FIRST_NAME, 'like', prefix),
      eb(LAST_NAME, 'like', prefix),
      eb(EMAIL, 'like', prefix),
      ...(digits.length > 0 ? [eb(PHONE_DIGITS, 'like', likeEscape(digits) + '%')] : []),
      eb('external_id', '=', raw),
    ]);
}

function keysetSql(sort: SortKey, desc: boolean, after: { v: string; id: string }): RawBuilder<SqlBool> {
  const s = SORTS[sort];
  const id = s.balances ? sql`b.customer_id` : sql`id`;
  return desc
    ? sql<SqlBool>`(${s.expr}, ${id}) < (cast(${after.v} as ${s.cast}), ${after.id})`
    : sql<SqlBool>`(${s.expr}, ${id}) > (cast(${after.v} as ${s.cast}), ${after.id})`;
}

export function keysetCondition(sort: SortKey, desc: boolean, after: { v: string; id: string }): CustomerWhere {
  return () => keysetSql(sort, desc, after);
}

export interface GridDbRow {
  id: string;
  first_name: string | null;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  membership_type: 'member' | 'guest' | 'left';
  account_state: 'registered' | 'guest';
  points_active: number;
  tier_id: string | null;
  tier_progress: number;
  birthday: string | null;
  tier_updated_at: Date | null;
  last_activity_at: Date | null;
  excluded_from_reports: boolean;
  created_at: Date;
  updated_at: Date;
  sort_value: string;
}

export interface ListOptions {
  sort: SortKey;
  desc: boolean;
  after: { v: string; id: string } | null;
  limit: number;
}

export async function listRows(db: Executor, where: CustomerWhere, opts: ListOptions): Promise<GridDbRow[]> {
  return listQuery(db, where, opts).execute();
}

const GRID_COLUMNS = [
  'id',
  'first_name',
  'last_name',
  'email',
  'phone',
  'membership_type',
  'account_state',
  'points_active',
  'tier_id',
  'tier_progress',
  'birthday',
  'tier_updated_at',
  'last_activity_at',
  'excluded_from_reports',
  'created_at',
  'updated_at',
] as const;

/** The grid page query, not yet run (benchmarks EXPLAIN it). */
export function listQuery(db: Executor, where: CustomerWhere, opts: ListOptions) {
  const s = SORTS[opts.sort];
  const dir = opts.desc ? sql`desc` : sql`asc`;
  if (s.balances) {
    // Walk customer_balances' sort index; each row joins its customer, where the filter applies.
    // (The planner takes the organization from the filter's org_id through the join.)
    let q = db
      .selectFrom('customer_balances as b')
      .innerJoinLateral(
        (eb) =>
          eb
            .selectFrom('customers')
            .select(GRID_COLUMNS)
            .whereRef('customers.org_id', '=', 'b.org_id')
            .whereRef('customers.id', '=', 'b.customer_id')
            .where(where)
            .as('c'),
        (join) => join.onTrue(),
      )
      .selectAll('c')
      .select(sql<string>`cast(${s.expr} as text)`.as('sort_value'));
    if (opts.after) q = q.where(keysetSql(opts.sort, opts.desc, opts.after));
    return q
      .orderBy(sql`${s.expr} ${dir}`)
      .orderBy(sql`b.customer_id ${dir}`)
      .limit(opts.limit);
  }
  let q = db
    .selectFrom('customers')
    .select([...GRID_COLUMNS, sql<string>`cast(${s.expr} as text)`.as('sort_value')])
    .where(where);
  if (opts.after) q = q.where(keysetCondition(opts.sort, opts.desc, opts.after));
  return q
    .orderBy(sql`${s.expr} ${dir}`)
    .orderBy(sql`id ${dir}`)
    .limit(opts.limit);
}

/** Counts matches up to `cap` (exact when below it). */
export async function countUpTo(db: Executor, where: CustomerWhere, cap: number): Promise<number> {
  const r = await db
    .selectFrom((eb) => eb.selectFrom('customers').select(sql<number>`1`.as('one')).where(where).limit(cap).as('m'))
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The planner's row estimate for the filter (used when the exact count would be expensive). */
export async function estimateCount(db: Executor, where: CustomerWhere): Promise<number> {
  const plan = await db.selectFrom('customers').select('id').where(where).explain<{ 'QUERY PLAN': unknown }>('json');
  const doc = plan[0]?.['QUERY PLAN'];
  const parsed = (typeof doc === 'string' ? JSON.parse(doc) : doc) as { Plan?: { 'Plan Rows'?: number } }[] | undefined;
  return Math.round(parsed?.[0]?.Plan?.['Plan Rows'] ?? 0);
}

/** Customer ids matching `where`, in id order after `afterId` (bulk actions walk a filter with this). */
export async function idsAfter(db: Executor, where: CustomerWhere, afterId: string | null, limit: number): Promise<string[]> {
  let q = db.selectFrom('customers').select('id').where(where);
  if (afterId !== null) q = q.where('id', '>', afterId);
  const rows = await q.orderBy('id').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Tier names by id, for the rows on screen. */
export async function tierNames(db: Executor, orgId: string, tierIds: string[]): Promise<Map<string, string>> {
  if (tierIds.length === 0) return new Map();
  const rows = await db.selectFrom('tiers').select(['id', 'name']).where('org_id', '=', orgId).where('id', 'in', tierIds).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

/**
 * The stored filter of a saved segment, or undefined. A segment is a named grid filter: the
 * segments feature keeps them (CRUD), the grid owns the filter language and applies them.
 */
export async function segmentFilter(db: Executor, orgId: string, segmentId: string) {
  const row = await db.selectFrom('segments').select('filter').where('org_id', '=', orgId).where('id', '=', segmentId).executeTakeFirst();
  return row?.filter;
}
