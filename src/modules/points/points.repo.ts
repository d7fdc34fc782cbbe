import { sql } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { CustomersTable } from '../../db/types.js';
import type { Selectable } from 'kysely';
import type { EntryKind, PointsEntriesTable, PointsLotsTable } from './points.tables.js';

export type CustomerRow = Selectable<CustomersTable>;
export type EntryRow = Selectable<PointsEntriesTable>;
export type LotRow = Selectable<PointsLotsTable>;

export { lockCustomer } from '../customers/index.js';

export function openLots(db: Executor, orgId: string, customerId: string): Promise<LotRow[]> {
  return db
    .selectFrom('points_lots')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where((eb) => eb.or([eb('remaining', '<>', 0), eb('status', '=', 'pending')]))
    .execute();
}

export interface BalanceDelta {
  active: number;
  pending: number;
  earned: number;
  redeemed: number;
  adjusted: number;
  expired: number;
  reversed: number;
}

/** Every row one ledger change writes, sent to the database in one round trip. */
export interface LedgerWrite {
  entries: EntryRow[];
  lots: LotRow[];
  lotDeltas: { org_id: string; id: string; delta: number; status: LotRow['status'] | null }[];
  allocations: { org_id: string; entry_id: string; lot_id: string; points: number }[];
  customer: (BalanceDelta & { orgId: string; id: string; activityAt: Date | null; now: Date }) | null;
  activity: unknown[];
  events: unknown[];
  deliveries: unknown[];
}

export async function flushLedgerWrite(db: Executor, w: LedgerWrite): Promise<void> {
  await sql`select patron_ledger_write(${JSON.stringify(w)}::jsonb)`.execute(db);
}

/** What the database does with a one-statement change (see `patron_ledger_change` in migration 0030). */
export interface LedgerChange {
  op: 'credit' | 'debit';
  orgId: string;
  customerId: string;
  points: number;
  /** Refused (nothing written) when the customer's membership does not allow the change. */
  guard: 'not_left' | 'member' | null;
  /** Debits: refused below zero, or the shortfall becomes a debt lot. */
  mode: 'strict' | 'allow_negative' | null;
  uniqueKey: string | null;
  /** The entry; its balance_after is set by the database. */
  entry: Omit<EntryRow, 'balance_after'>;
  /** Credits: the new lot; its remaining is set by the database (after paying back debt). */
  lot: Omit<LotRow, 'remaining'> | null;
  /** Debits that may go negative: the debt lot written for a shortfall. */
  debtLot: Omit<LotRow, 'remaining'> | null;
  delta: BalanceDelta;
  activityAt: Date | null;
  now: Date;
  activity: unknown[];
  events: unknown[];
  deliveries: unknown[];
}

export type ChangeOutcome = 'applied' | 'missing' | 'refused' | 'duplicate';

/**
 * Locks the customer, checks and writes a whole ledger change in one statement (one round
 * trip, one implicit transaction when the caller has none). Returns the outcome and the
 * customer row (after the change when applied; as it is when refused or duplicate).
 */
export async function applyLedgerChange(db: Executor, change: LedgerChange): Promise<{ outcome: ChangeOutcome; customer: CustomerRow | null }> {
  const r = await sql<CustomerRow & { change_outcome: ChangeOutcome }>`
    select x.change_outcome, (x.changed_customer).* from patron_ledger_change(${JSON.stringify(change)}::jsonb) x`.execute(db);
  const row = r.rows[0];
  if (!row) throw new Error('patron_ledger_change returned no row');
  const { change_outcome: outcome, ...customer } = row;
  return { outcome, customer: customer.id === null ? null : (customer) };
}

/**
 * Several ledger changes in one statement, applied in the given order in one implicit
 * transaction (each call sees the ones before it). One change raising an error fails the
 * statement and writes nothing.
 */
export async function applyLedgerChanges(db: Executor, changes: readonly LedgerChange[]): Promise<{ outcome: ChangeOutcome; customer: CustomerRow | null }[]> {
  const r = await sql<CustomerRow & { change_outcome: ChangeOutcome }>`
    select x.change_outcome, (x.changed_customer).*
      from unnest(${changes.map((c) => JSON.stringify(c))}::jsonb[]) with ordinality as b(change, n)
      cross join lateral patron_ledger_change(b.change) x
     order by b.n`.execute(db);
  if (r.rows.length !== changes.length) throw new Error(`patron_ledger_change returned ${r.rows.length} rows for ${changes.length} changes`);
  return r.rows.map(({ change_outcome: outcome, ...customer }) => ({ outcome, customer: customer.id === null ? null : customer }));
}

/** The lot an order's points were credited to (locked). */
export function orderLot(db: Executor, orgId: string, orderId: string) {
  return db
    .selectFrom('points_lots')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('order_id', '=', orderId)
    .where('points', '>', 0)
    .forUpdate()
    .executeTakeFirst();
}

export async function setLotActivation(db: Executor, orgId: string, lotId: string, activatesAt: Date): Promise<void> {
  await db.updateTable('points_lots').set({ activates_at: activatesAt }).where('org_id', '=', orgId).where('id', '=', lotId).execute();
}

export function allocationsOf(db: Executor, orgId: string, entryId: string) {
  return db.selectFrom('points_allocations').selectAll().where('org_id', '=', orgId).where('entry_id', '=', entryId).execute();
}

export function findEntryByUniqueKey(db: Executor, orgId: string, uniqueKey: string) {
  return db.selectFrom('points_entries').selectAll().where('org_id', '=', orgId).where('unique_key', '=', uniqueKey).executeTakeFirst();
}

export function findEntry(db: Executor, orgId: string, customerId: string, entryId: string) {
  return db
    .selectFrom('points_entries')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('id', '=', entryId)
    .executeTakeFirst();
}

export async function setEntryVisibility(db: Executor, orgId: string, entryId: string, visible: boolean): Promise<void> {
  await db.updateTable('points_entries').set({ visible_to_customer: visible }).where('org_id', '=', orgId).where('id', '=', entryId).execute();
}

export function listEntries(
  db: Executor,
  orgId: string,
  customerId: string,
  opts: { limit: number; before: { createdAt: Date; id: string } | null; kinds?: EntryKind[] | undefined },
) {
  let q = db
    .selectFrom('points_entries')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.before) {
    const b = opts.before;
    q = q.where((eb) => eb(eb.refTuple('created_at', 'id'), '<', eb.tuple(b.createdAt, b.id)));
  }
  if (opts.kinds && opts.kinds.length > 0) q = q.where('kind', 'in', opts.kinds);
  return q.execute();
}

/** Customers with lots that are due to expire, activate, or get a reminder (for the periodic jobs). */
export function customersWithDueLots(db: Executor, orgId: string, now: Date, what: 'expire' | 'activate', limit: number) {
  const q = db.selectFrom('points_lots').select('customer_id').distinct().where('org_id', '=', orgId).limit(limit);
  return what === 'expire'
    ? q.where('status', '=', 'active').where('remaining', '>', 0).where('expires_at', '<=', now).execute()
    : q.where('status', '=', 'pending').where('activates_at', '<=', now).execute();
}

export function customersInactiveSince(db: Executor, orgId: string, cutoff: Date, limit: number) {
  return db
    .selectFrom('customers')
    .select('id as customer_id')
    .where('org_id', '=', orgId)
    .where('points_active', '>', 0)
    .where((eb) => eb(eb.fn.coalesce('last_activity_at', 'created_at'), '<=', cutoff))
    .limit(limit)
    .execute();
}

export function lotsToRemind(db: Executor, orgId: string, now: Date, horizon: Date, limit: number) {
  return db
    .selectFrom('points_lots')
    .select(['id', 'customer_id', 'remaining', 'expires_at'])
    .where('org_id', '=', orgId)
    .where('status', '=', 'active')
    .where('remaining', '>', 0)
    .where('reminded_at', 'is', null)
    .where('expires_at', '>', now)
    .where('expires_at', '<=', horizon)
    .orderBy('expires_at')
    .limit(limit)
    .execute();
}

export async function markReminded(db: Executor, orgId: string, lotIds: string[], now: Date): Promise<number> {
  if (lotIds.length === 0) return 0;
  const r = await db
    .updateTable('points_lots')
    .set({ reminded_at: now })
    .where('org_id', '=', orgId)
    .where('id', 'in', lotIds)
    .where('reminded_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Ledger totals recomputed from entries and lots, per customer (for `patron verify`). */
export function recomputedBalances(db: Executor, orgId: string | null) {
  return sql<{
    org_id: string;
    id: string;
    points_active: number;
    points_pending: number;
    points_earned: number;
    points_redeemed: number;
    points_adjusted: number;
    points_expired: number;
    points_reversed: number;
    e_active: number;
    e_pending: number;
    e_earned: number;
    e_redeemed: number;
    e_adjusted: number;
    e_expired: number;
    e_reversed: number;
    l_active: number;
    l_pending: number;
    b_active: number | null;
    b_activity: Date | null;
    b_activity_same: boolean | null;
  }>`
    select c.org_id, c.id, c.points_active, c.points_pending, c.points_earned, c.points_redeemed, c.points_adjusted,
      c.points_expired, c.points_reversed,
      coalesce(e.active, 0)::int8 as e_active, coalesce(e.pending, 0)::int8 as e_pending,
      coalesce(e.earned, 0)::int8 as e_earned, coalesce(e.redeemed, 0)::int8 as e_redeemed,
      coalesce(e.adjusted, 0)::int8 as e_adjusted, coalesce(e.expired, 0)::int8 as e_expired,
      coalesce(e.reversed, 0)::int8 as e_reversed,
      coalesce(l.active, 0)::int8 as l_active, coalesce(l.pending, 0)::int8 as l_pending,
      b.points_active as b_active, b.last_activity_at as b_activity,
      b.last_activity_at is not distinct from c.last_activity_at as b_activity_same
    from customers c
    left join customer_balances b on b.org_id = c.org_id and b.customer_id = c.id
    left join lateral (
      select sum(active_delta) as active, sum(pending_delta) as pending,
        sum(points) filter (where kind in ('earn_order', 'earn_rule')) as earned,
        -sum(points) filter (where kind in ('redeem', 'coupon_refund')) as redeemed,
        sum(points) filter (where kind in ('manual_add', 'manual_deduct')) as adjusted,
        -sum(points) filter (where kind = 'expiry') as expired,
        -sum(points) filter (where kind in ('order_reversal', 'rule_reversal')) as reversed
      from points_entries pe where pe.org_id = c.org_id and pe.customer_id = c.id) e on true
    left join lateral (
      select sum(remaining) filter (where status = 'active') as active, sum(remaining) filter (where status = 'pending') as pending
      from points_lots pl where pl.org_id = c.org_id and pl.customer_id = c.id) l on true
    where (${orgId}::text is null or c.org_id = ${orgId})`.execute(db);
}

/** Lots whose remainder differs from the sum of their allocations. */
export function lotMismatches(db: Executor, orgId: string | null) {
  return sql<{ org_id: string; customer_id: string; id: string; remaining: number; allocated: number }>`
    select l.org_id, l.customer_id, l.id, l.remaining, coalesce(a.total, 0)::int8 as allocated
    from points_lots l
    left join lateral (select sum(points) as total from points_allocations a where a.org_id = l.org_id and a.lot_id = l.id) a on true
    where (${orgId}::text is null or l.org_id = ${orgId}) and l.remaining <> coalesce(a.total, 0)`.execute(db);
}
