import type { AppContext } from '../../context.js';
import { formatMoney } from '../../core/money.js';
import { parseInt8 } from '../../db/database.js';
import type { CustomerFilter } from '../grid/grid.schemas.js';
import { tierNames } from '../grid/grid.repo.js';
import { resolveCustomerFilter, type ResolvedCustomerFilter } from '../grid/grid.service.js';
import { csvLine, plainCell, textCell } from './csv.js';
import { exportQuery, type ExportRow } from './exports.repo.js';

export const EXPORT_HEADER = [
  'id',
  'externalId',
  'firstName',
  'lastName',
  'email',
  'phone',
  'membershipType',
  'accountState',
  'points',
  'pendingPoints',
  'tierId',
  'tierName',
  'tierProgress',
  'tierUpdatedAt',
  'birthday',
  'anniversary',
  'ordersCount',
  'lifetimeValue',
  'currency',
  'excludedFromReports',
  'lastActivityAt',
  'createdAt',
  'updatedAt',
];

const BATCH = 2000;

const iso = (d: Date | string | null) => (d === null ? null : typeof d === 'string' ? new Date(d).toISOString() : d.toISOString());
const int = (v: number | string) => (typeof v === 'string' ? parseInt8(v) : v);

function rowLine(r: ExportRow, currency: string, tierNames: Map<string, string>): string {
  return csvLine([
    plainCell(r.id),
    textCell(r.external_id),
    textCell(r.first_name),
    textCell(r.last_name),
    textCell(r.email),
    textCell(r.phone),
    plainCell(r.membership_type),
    plainCell(r.account_state),
    plainCell(int(r.points_active)),
    plainCell(int(r.points_pending)),
    plainCell(r.tier_id),
    textCell(r.tier_id ? (tierNames.get(r.tier_id) ?? null) : null),
    plainCell(int(r.tier_progress)),
    plainCell(iso(r.tier_updated_at)),
    plainCell(r.birthday),
    plainCell(r.anniversary),
    plainCell(r.orders_count),
    plainCell(formatMoney(BigInt(r.lifetime_value_minor), currency)),
    plainCell(currency),
    plainCell(r.excluded_from_reports),
    plainCell(iso(r.last_activity_at)),
    plainCell(iso(r.created_at)),
    plainCell(iso(r.updated_at)),
  ]);
}

async function renderBatch(ctx: AppContext, orgId: string, rows: ExportRow[], currency: string): Promise<string> {
  const tierIds = [...new Set(rows.map((r) => r.tier_id).filter((t): t is string => t !== null))];
  const names = tierIds.length > 0 ? await tierNames(ctx.db, orgId, tierIds) : new Map<string, string>();
  let out = '';
  for (const r of rows) out += rowLine(r, currency, names);
  return out;
}

/** PostgreSQL: one transaction, a server-side cursor, FETCH in batches; memory stays flat. */
async function* cursorBatches(ctx: AppContext, resolved: ResolvedCustomerFilter): AsyncGenerator<ExportRow[]> {
  const pool = ctx.database.pool!;
  const compiled = exportQuery(ctx.db, resolved.where, null, null).compile();
  const client = await pool.connect();
  let ok = false;
  try {
    await client.query('begin isolation level repeatable read read only');
    await client.query(`declare patron_export no scroll cursor for ${compiled.sql}`, [...compiled.parameters]);
    for (;;) {
      const r = await client.query<ExportRow>(`fetch ${BATCH} from patron_export`);
      if (r.rows.length === 0) break;
      yield r.rows;
      if (r.rows.length < BATCH) break;
    }
    await client.query('commit');
    ok = true;
  } finally {
    if (!ok) await client.query('rollback').catch(() => undefined);
    client.release();
  }
}

/** PGlite: keyset pages on id (one session, so no long-lived cursor holding it). */
async function* keysetBatches(ctx: AppContext, resolved: ResolvedCustomerFilter): AsyncGenerator<ExportRow[]> {
  let after: string | null = null;
  for (;;) {
    const rows = await exportQuery(ctx.db, resolved.where, after, BATCH).execute();
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}

export interface ExportOptions {
  filter: CustomerFilter;
  includeExcluded: boolean;
}

/** Resolves the filter (so a bad segment is a 404 before any byte is sent) and returns the CSV chunks. */
export async function exportCustomersCsv(ctx: AppContext, orgId: string, opts: ExportOptions): Promise<AsyncGenerator<string>> {
  const filter: CustomerFilter = opts.includeExcluded ? opts.filter : { ...opts.filter };
  const base = await resolveCustomerFilter(ctx.db, orgId, filter, ctx.clock.now());
  const resolved: ResolvedCustomerFilter = opts.includeExcluded
    ? base
    : { ...base, where: (eb) => eb.and([base.where(eb), eb('excluded_from_reports', '=', false)]) };
  const org = await ctx.db.selectFrom('organizations').select('currency').where('id', '=', orgId).executeTakeFirstOrThrow();
  const currency = org.currency.trim();
  const batches = ctx.database.pool ? cursorBatches(ctx, resolved) : keysetBatches(ctx, resolved);
  return (async function* () {
    yield '\uFEFF' + csvLine(EXPORT_HEADER);
    for await (const rows of batches) yield await renderBatch(ctx, orgId, rows, currency);
  })();
}
