import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { inRequestScope } from '../../db/request-scope.js';
import { withTx, type Executor, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { consumeLots } from '../../core/lots.js';
import type { EventType } from '../../events/catalog.js';
import { outboxRows, react } from '../../events/emit.js';
import type { DomainEvent } from '../../events/types.js';
import { activityRow, type ActivityInput } from '../activity/index.js';
import { applyGrouped } from './points.group.js';
import * as repo from './points.repo.js';
import type { CustomerRow, EntryRow, LedgerChange, LedgerWrite, LotRow } from './points.repo.js';
import type { EntryKind } from './points.tables.js';

/**
 * Ledger primitives. Each runs inside the caller's transaction on a customer row the
 * caller has locked (`lockCustomer`), computes one immutable entry, the lot remainder
 * changes with their allocation rows and the cached balance deltas, and writes them all
 * in one round trip (with any timeline events passed in `also`). Every entry announces itself
 * with one catalog event (points.earned, points.adjusted, ... by kind), written in the same
 * round trip; its in-transaction reactions (a tier upgrade after a tier-relevant change)
 * run right after the write, so no caller has to remember them.
 * Invariants: for every lot, remaining = sum of its allocations; active = sum of active
 * lot remainders; pending = sum of pending lot remainders;
 * earned - redeemed - expired - reversed + adjusted = active + pending.
 */

export interface EntryInput {
  orgId: string;
  customer: CustomerRow;
  kind: EntryKind;
  reason: string;
  customerMessage?: string | null | undefined;
  visibleToCustomer?: boolean | undefined;
  countsTowardTier?: boolean | undefined;
  explanation: string;
  sourceType?: string | null | undefined;
  sourceId?: string | null | undefined;
  uniqueKey?: string | null | undefined;
  actor: Actor;
  at: Date;
  /** Timeline events written in the same round trip as the entry (their payloads get `entryId`). */
  also?: { activity?: ActivityInput[] } | undefined;
  /** The earning rule, for points.earned by a rule. */
  ruleId?: string | undefined;
  /** The order the entry is about (its event names it). */
  orderId?: string | undefined;
}

export interface CreditInput extends EntryInput {
  points: number;
  /** Pending points: activate at this time (null = when the order is fulfilled). Absent = active now. */
  pending?: { activatesAt: Date | null } | undefined;
  expiresAt: Date | null;
}

export type DebitMode = 'strict' | 'clamp' | 'allow_negative';

export interface DebitInput extends EntryInput {
  points: number;
  mode: DebitMode;
  /** Lots to take from first (an order reversal takes back that order's own points first). */
  preferLotIds?: string[] | undefined;
}

const NO_ACTIVITY: ReadonlySet<EntryKind> = new Set(['expiry', 'activation']);

type LedgerEventType = Extract<EventType, `points.${string}`>;

/** The catalog event each kind of entry announces. */
const EVENT_OF: Readonly<Record<EntryKind, LedgerEventType>> = {
  earn_order: 'points.earned',
  earn_rule: 'points.earned',
  manual_add: 'points.adjusted',
  manual_deduct: 'points.adjusted',
  redeem: 'points.redeemed',
  coupon_refund: 'points.restored',
  order_reversal: 'points.reversed',
  rule_reversal: 'points.reversed',
  expiry: 'points.expired',
  activation: 'points.activated',
};

function entryEvent(input: Pick<EntryInput, 'orgId' | 'ruleId'>, entry: Omit<EntryRow, 'balance_after'>, orderId: string | null): DomainEvent {
  const type = EVENT_OF[entry.kind];
  const payload: Record<string, unknown> = {
    customerId: entry.customer_id,
    entryId: entry.id,
    points: Math.abs(entry.points),
    kind: entry.kind,
    countsTowardTier: entry.counts_toward_tier,
    sourceType: entry.source_type,
    sourceId: entry.source_id,
    orderId,
  };
  if (type === 'points.earned') payload.ruleId = input.ruleId ?? null;
  if (type === 'points.adjusted') payload.direction = entry.kind === 'manual_add' ? 'add' : 'deduct';
  return { type, orgId: input.orgId, payload } as DomainEvent;
}

function categoryDelta(kind: EntryKind, points: number): Omit<repo.BalanceDelta, 'active' | 'pending'> {
  const d = { earned: 0, redeemed: 0, adjusted: 0, expired: 0, reversed: 0 };
  switch (kind) {
    case 'earn_order':
    case 'earn_rule':
      d.earned = points;
      break;
    case 'manual_add':
    case 'manual_deduct':
      d.adjusted = points;
      break;
    case 'redeem':
    case 'coupon_refund':
      d.redeemed = -points;
      break;
    case 'order_reversal':
    case 'rule_reversal':
      d.reversed = -points;
      break;
    case 'expiry':
      d.expired = -points;
      break;
    case 'activation':
      break;
  }
  return d;
}

/** Starts a write with the entry and balance deltas; keeps the in-memory customer row current. */
async function begin(
  tx: Tx,
  ctx: AppContext,
  input: EntryInput,
  activeDelta: number,
  pendingDelta: number,
  lotOrderId: string | null = null,
): Promise<{ w: LedgerWrite; entry: EntryRow; event: DomainEvent }> {
  const c = input.customer;
  const points = activeDelta + pendingDelta;
  const delta: repo.BalanceDelta = { active: activeDelta, pending: pendingDelta, ...categoryDelta(input.kind, points) };
  const entry: EntryRow = {
    org_id: input.orgId,
    id: newId(input.at.getTime()),
    customer_id: c.id,
    kind: input.kind,
    points,
    active_delta: activeDelta,
    pending_delta: pendingDelta,
    reason: input.reason,
    customer_message: input.customerMessage ?? null,
    visible_to_customer: input.visibleToCustomer ?? true,
    counts_toward_tier: input.countsTowardTier ?? false,
    explanation: input.explanation,
    source_type: input.sourceType ?? null,
    source_id: input.sourceId ?? null,
    unique_key: input.uniqueKey ?? null,
    actor_type: input.actor.type,
    actor_id: input.actor.id,
    actor_name: input.actor.name,
    balance_after: c.points_active + activeDelta,
    created_at: input.at,
  };
  const activityAt = NO_ACTIVITY.has(input.kind) ? null : input.at;
  c.points_active += delta.active;
  c.points_pending += delta.pending;
  c.points_earned += delta.earned;
  c.points_redeemed += delta.redeemed;
  c.points_adjusted += delta.adjusted;
  c.points_expired += delta.expired;
  c.points_reversed += delta.reversed;
  if (activityAt) c.last_activity_at = activityAt;
  const event = entryEvent(input, entry, input.orderId ?? lotOrderId);
  const outbox = await outboxRows(ctx, tx, [event], input.at);
  const w: LedgerWrite = {
    entries: [entry],
    lots: [],
    lotDeltas: [],
    allocations: [],
    customer: { ...delta, orgId: input.orgId, id: c.id, activityAt, now: input.at },
    // Timeline events written with the entry carry its id.
    activity: (input.also?.activity ?? []).map((a) => activityRow({ ...a, payload: { entryId: entry.id, ...a.payload } })),
    events: outbox.events,
    deliveries: outbox.deliveries,
  };
  return { w, entry, event };
}

/** Writes the entry with everything it changes, then runs the reactions to its event. */
async function commit(tx: Tx, ctx: AppContext, input: EntryInput, w: LedgerWrite, event: DomainEvent): Promise<void> {
  await repo.flushLedgerWrite(tx, w);
  await react(tx, ctx, [event], { actor: input.actor, at: input.at, customer: input.customer });
}

/** One lot change per lot and write (an UPDATE ... FROM applies only one source row per target row). */
function moveLot(w: LedgerWrite, orgId: string, entryId: string, lotId: string, points: number, status: LotRow['status'] | null = null): void {
  if (points !== 0 || status) {
    const prior = w.lotDeltas.find((d) => d.id === lotId);
    if (prior) {
      prior.delta += points;
      prior.status = status ?? prior.status;
    } else {
      w.lotDeltas.push({ org_id: orgId, id: lotId, delta: points, status });
    }
  }
  if (points !== 0) {
    const prior = w.allocations.find((a) => a.lot_id === lotId);
    if (prior) prior.points += points;
    else w.allocations.push({ org_id: orgId, entry_id: entryId, lot_id: lotId, points });
  }
}

/** Points arriving in the active balance first pay back negative (debt) lots, oldest first. */
function fillDebt(w: LedgerWrite, orgId: string, entryId: string, lots: LotRow[], available: number): number {
  let filled = 0;
  const debts = lots.filter((l) => l.status === 'active' && l.remaining < 0).sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
  for (const debt of debts) {
    const take = Math.min(available - filled, -debt.remaining);
    if (take <= 0) break;
    moveLot(w, orgId, entryId, debt.id, take);
    debt.remaining += take;
    filled += take;
  }
  return filled;
}

/** Debt lots exist only while the active balance is negative, so most credits skip the lot read. */
async function debtLots(tx: Tx, orgId: string, customer: CustomerRow, activeBefore: number): Promise<LotRow[]> {
  return activeBefore < 0 ? repo.openLots(tx, orgId, customer.id) : [];
}

export async function credit(tx: Tx, ctx: AppContext, input: CreditInput): Promise<EntryRow> {
  if (!Number.isSafeInteger(input.points) || input.points <= 0) throw new Error(`credit of ${input.points} points`);
  const pending = input.pending !== undefined;
  const activeBefore = input.customer.points_active;
  const debts = pending ? [] : await debtLots(tx, input.orgId, input.customer, activeBefore);
  const { w, entry, event } = await begin(tx, ctx, input, pending ? 0 : input.points, pending ? input.points : 0);
  const filled = fillDebt(w, input.orgId, entry.id, debts, input.points);
  const lotId = newId(input.at.getTime());
  w.lots.push({
    org_id: input.orgId,
    id: lotId,
    customer_id: input.customer.id,
    entry_id: entry.id,
    status: pending ? 'pending' : 'active',
    points: input.points,
    remaining: input.points - filled,
    expires_at: input.expiresAt,
    activates_at: pending ? (input.pending?.activatesAt ?? null) : null,
    reminded_at: null,
    order_id: input.orderId ?? null,
    created_at: input.at,
  });
  w.allocations.push({ org_id: input.orgId, entry_id: entry.id, lot_id: lotId, points: input.points - filled });
  await commit(tx, ctx, input, w, event);
  return entry;
}

export function insufficient(balance: number, amount: number): AppError {
  return new AppError(
    'POINTS_INSUFFICIENT',
    `The customer has ${balance} active points; ${amount} are needed (${amount - balance} more)`,
    { balance, amount, missing: amount - balance },
  );
}

/** Takes points from active lots (earliest expiry first). Returns the entry, or null when nothing was taken. */
export async function debit(tx: Tx, ctx: AppContext, input: DebitInput): Promise<{ entry: EntryRow | null; applied: number }> {
  if (!Number.isSafeInteger(input.points) || input.points <= 0) throw new Error(`debit of ${input.points} points`);
  const available = input.customer.points_active;
  let applied = input.points;
  if (input.mode === 'strict' && input.points > available) throw insufficient(available, input.points);
  if (input.mode === 'clamp') applied = Math.min(input.points, Math.max(0, available));
  if (applied === 0) return { entry: null, applied: 0 };

  const lots = (await repo.openLots(tx, input.orgId, input.customer.id)).filter((l) => l.status === 'active');
  const { w, entry, event } = await begin(tx, ctx, input, -applied, 0);
  let left = applied;
  for (const id of input.preferLotIds ?? []) {
    const lot = lots.find((l) => l.id === id && l.remaining > 0);
    if (!lot || left === 0) continue;
    const take = Math.min(left, lot.remaining);
    moveLot(w, input.orgId, entry.id, lot.id, -take);
    lot.remaining -= take;
    left -= take;
  }
  const consumption = consumeLots(
    lots.filter((l) => l.remaining > 0).map((l) => ({ id: l.id, remaining: l.remaining, expiresAt: l.expires_at, createdAt: l.created_at })),
    left,
  );
  for (const a of consumption.allocations) moveLot(w, input.orgId, entry.id, a.lotId, -a.points);
  if (consumption.shortfall > 0) {
    // Allowed to go negative (refund clawback policy): the shortfall is a debt lot paid back by later credits.
    const debtId = newId(input.at.getTime());
    w.lots.push({
      org_id: input.orgId,
      id: debtId,
      customer_id: input.customer.id,
      entry_id: entry.id,
      status: 'active',
      points: 0,
      remaining: -consumption.shortfall,
      expires_at: null,
      activates_at: null,
      reminded_at: null,
      order_id: null,
      created_at: input.at,
    });
    w.allocations.push({ org_id: input.orgId, entry_id: entry.id, lot_id: debtId, points: -consumption.shortfall });
  }
  await commit(tx, ctx, input, w, event);
  return { entry, applied };
}

/** Gives points back to exactly the lots a debit took them from (coupon revoke). */
export async function restore(tx: Tx, ctx: AppContext, input: EntryInput & { fromEntryId: string }): Promise<EntryRow> {
  const taken = (await repo.allocationsOf(tx, input.orgId, input.fromEntryId)).filter((a) => a.points < 0);
  const points = -taken.reduce((s, a) => s + a.points, 0);
  if (points <= 0) throw new Error('nothing to restore');
  const { w, entry, event } = await begin(tx, ctx, input, points, 0);
  for (const a of taken) moveLot(w, input.orgId, entry.id, a.lot_id, -a.points);
  await commit(tx, ctx, input, w, event);
  return entry;
}

/** Cancels some or all of a pending lot (a refund before the points became spendable). */
export async function cancelPending(tx: Tx, ctx: AppContext, input: EntryInput & { lot: LotRow; points: number }): Promise<EntryRow> {
  const points = Math.min(input.points, input.lot.remaining);
  const { w, entry, event } = await begin(tx, ctx, input, 0, -points, input.lot.order_id);
  const left = input.lot.remaining - points;
  moveLot(w, input.orgId, entry.id, input.lot.id, -points, left === 0 ? 'cancelled' : null);
  input.lot.remaining = left;
  await commit(tx, ctx, input, w, event);
  return entry;
}

/** Pending -> active for one lot. */
export async function activate(tx: Tx, ctx: AppContext, input: EntryInput & { lot: LotRow }): Promise<EntryRow> {
  const r = input.lot.remaining;
  const debts = await debtLots(tx, input.orgId, input.customer, input.customer.points_active);
  const { w, entry, event } = await begin(tx, ctx, input, r, -r, input.lot.order_id);
  moveLot(w, input.orgId, entry.id, input.lot.id, 0, 'active');
  const filled = fillDebt(w, input.orgId, entry.id, debts, r);
  if (filled > 0) moveLot(w, input.orgId, entry.id, input.lot.id, -filled);
  input.lot.status = 'active';
  input.lot.remaining -= filled;
  await commit(tx, ctx, input, w, event);
  return entry;
}

/** Expires what remains of the given active lots in one entry. */
export async function expireLots(tx: Tx, ctx: AppContext, input: EntryInput & { lots: LotRow[] }): Promise<EntryRow | null> {
  const due = input.lots.filter((l) => l.status === 'active' && l.remaining > 0);
  const total = due.reduce((s, l) => s + l.remaining, 0);
  if (total === 0) return null;
  const { w, entry, event } = await begin(tx, ctx, input, -total, 0);
  for (const l of due) moveLot(w, input.orgId, entry.id, l.id, -l.remaining);
  await commit(tx, ctx, input, w, event);
  return entry;
}

/** A change the database locks, checks and writes in one statement (`change`). */
export interface ChangeInput extends Omit<EntryInput, 'customer'> {
  customerId: string;
  op: 'credit' | 'debit';
  points: number;
  /** Refuse unless the membership allows it: 'not_left' (frozen balance), 'member' (redeeming). */
  guard: 'not_left' | 'member' | null;
  /** Debits: 'strict' refuses below zero; 'allow_negative' turns a shortfall into a debt lot. */
  mode?: 'strict' | 'allow_negative' | undefined;
  /** Credits: when the new lot expires. */
  expiresAt?: Date | null | undefined;
  /**
   * The caller's checks, run on the customer row (null: not found) when the database refused
   * the change: they throw the error the caller would have thrown checking before writing.
   */
  refusal: (customer: CustomerRow | null) => void;
}

export type ChangeResult = { applied: true; entry: EntryRow; customer: CustomerRow } | { applied: false; duplicate: true; customer: CustomerRow };

/**
 * One ledger change in one round trip: the database locks the customer row, checks it
 * (exists, not anonymized, membership guard, unique key, enough points for a strict debit),
 * picks the lots and writes the entry, lots, allocations, balances, timeline and outbound
 * events in one statement, so the row lock is held for that statement only. Without a
 * transaction of the caller it is one implicit transaction; when an in-transaction reaction
 * applies to the entry's event (a tier-relevant entry), the write and the reactions share one.
 * A refusal writes nothing and comes back as data, turned into the caller's own error by
 * `refusal`; a used unique key comes back as `duplicate`.
 */
export async function change(db: Executor, ctx: AppContext, input: ChangeInput): Promise<ChangeResult> {
  if (!Number.isSafeInteger(input.points) || input.points <= 0) throw new Error(`${input.op} of ${input.points} points`);
  const signed = input.op === 'credit' ? input.points : -input.points;
  const delta: repo.BalanceDelta = { active: signed, pending: 0, ...categoryDelta(input.kind, signed) };
  const entry: Omit<EntryRow, 'balance_after'> = {
    org_id: input.orgId,
    id: newId(input.at.getTime()),
    customer_id: input.customerId,
    kind: input.kind,
    points: signed,
    active_delta: signed,
    pending_delta: 0,
    reason: input.reason,
    customer_message: input.customerMessage ?? null,
    visible_to_customer: input.visibleToCustomer ?? true,
    counts_toward_tier: input.countsTowardTier ?? false,
    explanation: input.explanation,
    source_type: input.sourceType ?? null,
    source_id: input.sourceId ?? null,
    unique_key: input.uniqueKey ?? null,
    actor_type: input.actor.type,
    actor_id: input.actor.id,
    actor_name: input.actor.name,
    created_at: input.at,
  };
  const lot = (status: 'active', points: number, expiresAt: Date | null): Omit<LotRow, 'remaining'> => ({
    org_id: input.orgId,
    id: newId(input.at.getTime()),
    customer_id: input.customerId,
    entry_id: entry.id,
    status,
    points,
    expires_at: expiresAt,
    activates_at: null,
    reminded_at: null,
    order_id: null,
    created_at: input.at,
  });
  const event = entryEvent(input, entry, input.orderId ?? null);
  const outbox = await outboxRows(ctx, db, [event], input.at);
  const w: LedgerChange = {
    op: input.op,
    orgId: input.orgId,
    customerId: input.customerId,
    points: input.points,
    guard: input.guard,
    mode: input.op === 'debit' ? (input.mode ?? 'strict') : null,
    uniqueKey: input.uniqueKey ?? null,
    entry,
    lot: input.op === 'credit' ? lot('active', input.points, input.expiresAt ?? null) : null,
    debtLot: input.op === 'debit' && input.mode === 'allow_negative' ? lot('active', 0, null) : null,
    delta,
    activityAt: NO_ACTIVITY.has(input.kind) ? null : input.at,
    now: input.at,
    // Timeline events written with the entry carry its id (and the balance after it, when they show one).
    activity: (input.also?.activity ?? []).map((a) => activityRow({ ...a, payload: { entryId: entry.id, ...a.payload } })),
    events: outbox.events,
    deliveries: outbox.deliveries,
  };
  const run = async (ex: Executor): Promise<ChangeResult> => {
    // Outside a transaction (the caller's or the request's), concurrent changes of one customer share a statement.
    const r = !ex.isTransaction && ctx.database.kind === 'postgres' && !inRequestScope() ? await applyGrouped(ex, w) : await repo.applyLedgerChange(ex, w);
    if (r.outcome === 'missing' || r.outcome === 'refused') {
      input.refusal(r.customer);
      throw new Error(`The ledger refused a ${input.op} for customer ${input.customerId} for a reason its caller does not check`);
    }
    const customer = r.customer!;
    if (r.outcome === 'duplicate') return { applied: false, duplicate: true, customer };
    if (ex.isTransaction) await react(ex as Tx, ctx, [event], { actor: input.actor, at: input.at, customer });
    return { applied: true, entry: { ...entry, balance_after: customer.points_active }, customer };
  };
  const reacting = ctx.events.reactionsFor(event.type).some((r) => !r.when || r.when(event));
  return reacting && !db.isTransaction ? withTx(db, run) : run(db);
}
