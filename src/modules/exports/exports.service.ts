import type { AppContext } from '../../context.js';
import { currencyExponent } from '../../core/money.js';
import type { CustomerFilter } from '../grid/index.js';
import { resolveCustomerFilter, type ResolvedCustomerFilter } from '../grid/index.js';
import { findSegment } from '../segments/index.js';
import { foldSearch } from '../grid/index.js';
import { getTierSettings } from '../tiers/index.js';
import { csvLine, textCell } from './csv.js';
import { COL, exportQuery, orgCurrency, TEXT_COLUMNS, tiersOf } from './exports.repo.js';

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

/** Rows per FETCH, and lines per chunk written to the socket (small chunks die young: memory stays flat). */
const BATCH = 1000;
const CHUNK = 250;

type Row = (string | null)[];

/** One CSV line: text cells neutralised and quoted, the tier name and the currency inserted. */
function rowLine(r: Row, currency: string, tierNames: Map<string, string>): string {
  let out = '';
  for (let i = 0; i < r.length; i++) {
    const v = r[i];
    if (i > 0) out += ',';
    // Cells PostgreSQL formatted (ids, enums, numbers, ISO times) never need quoting.
    if (v !== null && v !== undefined) out += TEXT_COLUMNS[i] ? textCell(v) : v;
    if (i === COL.tierId) out += ',' + (v ? textCell(tierNames.get(v) ?? null) : '');
    if (i === COL.lifetimeValue) out += ',' + currency;
  }
  return out;
}

/** PostgreSQL: one read-only transaction, a server-side cursor, FETCH in batches; memory stays flat. */
async function* cursorBatches(ctx: AppContext, resolved: ResolvedCustomerFilter, exponent: number, progressIsMoney: boolean): AsyncGenerator<Row[]> {
  const compiled = exportQuery(ctx.db, resolved.where, exponent, null, null, progressIsMoney).compile();
  const client = await ctx.database.pool!.connect();
  let ok = false;
  try {
    await client.query('begin isolation level repeatable read read only');
    // Plan for reading every row, not for the first 10% (the default for cursors).
    await client.query('set local cursor_tuple_fraction = 1');
    await client.query(`declare patron_export no scroll cursor for ${compiled.sql}`, [...compiled.parameters]);
    for (;;) {
      const r = await client.query<Row>({ text: `fetch ${BATCH} from patron_export`, rowMode: 'array' });
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
async function* keysetBatches(ctx: AppContext, resolved: ResolvedCustomerFilter, exponent: number, progressIsMoney: boolean): AsyncGenerator<Row[]> {
  let after: string | null = null;
  for (;;) {
    const rows = await exportQuery(ctx.db, resolved.where, exponent, after, BATCH, progressIsMoney).execute();
    if (rows.length === 0) return;
    yield rows.map((r): Row => Object.values(r));
    if (rows.length < BATCH) return;
    after = rows[rows.length - 1]!.id;
  }
}

export interface ExportOptions {
  filter: CustomerFilter;
  includeExcluded: boolean;
}

/** A file-name part: accents folded, lower case, letters and digits joined by "-". */
function slug(text: string): string {
  return foldSearch(text)
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

const MEMBERSHIP_PART = { member: 'members', guest: 'guests', left: 'left-program' } as const;

/**
 * The download's file name says what it holds: customers-<filter parts>-<day>.csv, e.g.
 * customers-segment-vip_members_gold_search-zoe-2026-12-02.csv; no filter: customers-<day>.csv.
 */
export function exportFileName(opts: ExportOptions, names: { segment?: string | null; tiers: Map<string, string> }, day: string): string {
  const f = opts.filter;
  const parts: string[] = [];
  if (f.segment) parts.push(`segment-${slug(names.segment ?? '') || 'unnamed'}`);
  if (f.membership) parts.push(f.membership.map((m) => MEMBERSHIP_PART[m]).join('-'));
  if (f.tier) parts.push(f.tier.map((t) => (t === 'none' ? 'no-tier' : slug(names.tiers.get(t) ?? '') || 'tier')).join('-'));
  if (f.activity) parts.push(f.activity === 'active' ? 'active-30-days' : 'inactive-30-days');
  if (f.accountState) parts.push(f.accountState === 'registered' ? 'registered' : 'guest-checkout');
  if (f.excluded !== undefined) parts.push(f.excluded ? 'excluded-from-reports' : 'included-in-reports');
  if (f.search) parts.push(`search-${slug(f.search) || 'term'}`);
  if (opts.includeExcluded && f.excluded === undefined) parts.push('with-excluded');
  return `customers-${parts.length > 0 ? `${parts.join('_')}-` : ''}${day}.csv`;
}

/** Resolves the filter (so a bad segment is a 404 before any byte is sent) and returns the file name and the CSV chunks. */
export async function exportCustomersCsv(ctx: AppContext, orgId: string, opts: ExportOptions): Promise<{ fileName: string; chunks: AsyncGenerator<string> }> {
  const base = await resolveCustomerFilter(ctx.db, orgId, opts.filter, ctx.clock.now());
  const resolved: ResolvedCustomerFilter = opts.includeExcluded
    ? base
    : { ...base, where: (eb) => eb.and([base.where(eb), eb('excluded_from_reports', '=', false)]) };
  const currency = (await orgCurrency(ctx.db, orgId)).trim();
  const exponent = currencyExponent(currency);
  const tierNames = new Map((await tiersOf(ctx.db, orgId)).map((t) => [t.id, t.name]));
  const progressIsMoney = (await getTierSettings(ctx.db, orgId)).basis === 'amount_spent';
  const batches = ctx.database.pool ? cursorBatches(ctx, resolved, exponent, progressIsMoney) : keysetBatches(ctx, resolved, exponent, progressIsMoney);
  const segment = opts.filter.segment ? ((await findSegment(ctx.db, orgId, opts.filter.segment))?.name ?? null) : null;
  const fileName = exportFileName(opts, { segment, tiers: tierNames }, ctx.clock.now().toISOString().slice(0, 10));
  const chunks = (async function* () {
    yield '\uFEFF' + csvLine(EXPORT_HEADER);
    for await (const rows of batches) {
      for (let i = 0; i < rows.length; i += CHUNK) {
        let chunk = '';
        for (let j = i; j < Math.min(i + CHUNK, rows.length); j++) chunk += rowLine(rows[j]!, currency, tierNames) + '\r\n';
        yield chunk;
      }
    }
  })();
  return { fileName, chunks };
}
