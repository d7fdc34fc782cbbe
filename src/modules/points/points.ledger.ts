import type { Actor } from '../../context.js';
import { newId } from '../../db/ids.js';
import type { Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { consumeLots } from '../../core/lots.js';
import * as repo from './points.repo.js';
import type { CustomerRow, EntryRow, LotRow } from './points.repo.js';
import type { EntryKind } from './points.tables.js';

/**
 * Ledger primitives. Each runs inside the caller's transaction on a customer row the
 * caller has locked (`lockCustomer`), writes one immutable entry, moves lot remainders
 * with allocation rows, and updates the cached balances by exactly the same amounts.
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
}

export interface CreditInput extends EntryInput {
  points: number;
  /** Pending points: activate at this time (null = when the order is fulfilled). Absent = active now. */
  pending?: { activatesAt: Date | null } | undefined;
  expiresAt: Date | null;
  orderId?: string | undefined;
}

export type DebitMode = 'strict' | 'clamp' | 'allow_negative';

export interface DebitInput extends EntryInput {
  points: number;
  mode: DebitMode;
  /** Lots to take from first (an order reversal takes back that order's own points first). */
  preferLotIds?: string[] | undefined;
}

const NO_ACTIVITY: ReadonlySet<EntryKind> = new Set(['expiry', 'activation']);

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

/** Writes the entry and moves the cached balances; keeps the in-memory customer row current. */
async function writeEntry(tx: Tx, input: EntryInput, activeDelta: number, pendingDelta: number): Promise<EntryRow> {
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
  await repo.insertEntry(tx, entry);
  await repo.applyBalanceDelta(tx, input.orgId, c.id, delta, NO_ACTIVITY.has(input.kind) ? null : input.at, input.at);
  c.points_active += delta.active;
  c.points_pending += delta.pending;
  c.points_earned += delta.earned;
  c.points_redeemed += delta.redeemed;
  c.points_adjusted += delta.adjusted;
  c.points_expired += delta.expired;
  c.points_reversed += delta.reversed;
  if (!NO_ACTIVITY.has(input.kind)) c.last_activity_at = input.at;
  return entry;
}

/** Points that arrive in the active balance first pay back any negative (debt) lots. */
async function fillDebt(tx: Tx, orgId: string, entryId: string, lots: LotRow[], available: number): Promise<{ filled: number }> {
  let filled = 0;
  const debts = lots.filter((l) => l.status === 'active' && l.remaining < 0).sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
  const rows: { org_id: string; entry_id: string; lot_id: string; points: number }[] = [];
  for (const debt of debts) {
    const take = Math.min(available - filled, -debt.remaining);
    if (take <= 0) break;
    rows.push({ org_id: orgId, entry_id: entryId, lot_id: debt.id, points: take });
    await repo.addToLot(tx, orgId, debt.id, take);
    debt.remaining += take;
    filled += take;
  }
  await repo.insertAllocations(tx, rows);
  return { filled };
}

export async function credit(tx: Tx, input: CreditInput): Promise<EntryRow> {
  if (!Number.isSafeInteger(input.points) || input.points <= 0) throw new Error(`credit of ${input.points} points`);
  const pending = input.pending !== undefined;
  const entry = await writeEntry(tx, input, pending ? 0 : input.points, pending ? input.points : 0);
  const lotId = newId(input.at.getTime());
  let filled = 0;
  if (!pending) {
    const lots = await repo.openLots(tx, input.orgId, input.customer.id);
    filled = (await fillDebt(tx, input.orgId, entry.id, lots, input.points)).filled;
  }
  await repo.insertLot(tx, {
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
  await repo.insertAllocations(tx, [{ org_id: input.orgId, entry_id: entry.id, lot_id: lotId, points: input.points - filled }]);
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
export async function debit(tx: Tx, input: DebitInput): Promise<{ entry: EntryRow | null; applied: number }> {
  if (!Number.isSafeInteger(input.points) || input.points <= 0) throw new Error(`debit of ${input.points} points`);
  const available = input.customer.points_active;
  let applied = input.points;
  if (input.mode === 'strict' && input.points > available) throw insufficient(available, input.points);
  if (input.mode === 'clamp') applied = Math.min(input.points, Math.max(0, available));
  if (applied === 0) return { entry: null, applied: 0 };

  const lots = (await repo.openLots(tx, input.orgId, input.customer.id)).filter((l) => l.status === 'active');
  const entry = await writeEntry(tx, input, -applied, 0);
  const allocations: { lotId: string; points: number }[] = [];
  let left = applied;
  for (const id of input.preferLotIds ?? []) {
    const lot = lots.find((l) => l.id === id && l.remaining > 0);
    if (!lot || left === 0) continue;
    const take = Math.min(left, lot.remaining);
    allocations.push({ lotId: lot.id, points: take });
    lot.remaining -= take;
    left -= take;
  }
  const consumption = consumeLots(
    lots.filter((l) => l.remaining > 0).map((l) => ({ id: l.id, remaining: l.remaining, expiresAt: l.expires_at, createdAt: l.created_at })),
    left,
  );
  allocations.push(...consumption.allocations.map((a) => ({ lotId: a.lotId, points: a.points })));
  const rows = allocations.map((a) => ({ org_id: input.orgId, entry_id: entry.id, lot_id: a.lotId, points: -a.points }));
  for (const a of allocations) await repo.addToLot(tx, input.orgId, a.lotId, -a.points);
  if (consumption.shortfall > 0) {
    // Allowed to go negative (refund clawback policy): the shortfall is a debt lot paid back by later credits.
    const debtId = newId(input.at.getTime());
    await repo.insertLot(tx, {
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
    rows.push({ org_id: input.orgId, entry_id: entry.id, lot_id: debtId, points: -consumption.shortfall });
  }
  await repo.insertAllocations(tx, rows);
  return { entry, applied };
}

/** Gives points back to exactly the lots a debit took them from (coupon revoke). */
export async function restore(tx: Tx, input: EntryInput & { fromEntryId: string }): Promise<EntryRow> {
  const taken = (await repo.allocationsOf(tx, input.orgId, input.fromEntryId)).filter((a) => a.points < 0);
  const points = -taken.reduce((s, a) => s + a.points, 0);
  if (points <= 0) throw new Error('nothing to restore');
  const entry = await writeEntry(tx, input, points, 0);
  for (const a of taken) await repo.addToLot(tx, input.orgId, a.lot_id, -a.points);
  await repo.insertAllocations(
    tx,
    taken.map((a) => ({ org_id: input.orgId, entry_id: entry.id, lot_id: a.lot_id, points: -a.points })),
  );
  return entry;
}

/** Cancels some or all of a pending lot (a refund before the points became spendable). */
export async function cancelPending(tx: Tx, input: EntryInput & { lot: LotRow; points: number }): Promise<EntryRow> {
  const points = Math.min(input.points, input.lot.remaining);
  const entry = await writeEntry(tx, input, 0, -points);
  const left = input.lot.remaining - points;
  await repo.addToLot(tx, input.orgId, input.lot.id, -points, left === 0 ? 'cancelled' : undefined);
  input.lot.remaining = left;
  await repo.insertAllocations(tx, [{ org_id: input.orgId, entry_id: entry.id, lot_id: input.lot.id, points: -points }]);
  return entry;
}

/** Pending -> active for one lot. */
export async function activate(tx: Tx, input: EntryInput & { lot: LotRow }): Promise<EntryRow> {
  const r = input.lot.remaining;
  const entry = await writeEntry(tx, input, r, -r);
  await repo.addToLot(tx, input.orgId, input.lot.id, 0, 'active');
  const lots = await repo.openLots(tx, input.orgId, input.customer.id);
  const { filled } = await fillDebt(tx, input.orgId, entry.id, lots, r);
  if (filled > 0) {
    await repo.addToLot(tx, input.orgId, input.lot.id, -filled);
    await repo.insertAllocations(tx, [{ org_id: input.orgId, entry_id: entry.id, lot_id: input.lot.id, points: -filled }]);
  }
  return entry;
}

/** Expires what remains of the given active lots in one entry. */
export async function expireLots(tx: Tx, input: EntryInput & { lots: LotRow[] }): Promise<EntryRow | null> {
  const due = input.lots.filter((l) => l.status === 'active' && l.remaining > 0);
  const total = due.reduce((s, l) => s + l.remaining, 0);
  if (total === 0) return null;
  const entry = await writeEntry(tx, input, -total, 0);
  for (const l of due) await repo.addToLot(tx, input.orgId, l.id, -l.remaining);
  await repo.insertAllocations(
    tx,
    due.map((l) => ({ org_id: input.orgId, entry_id: entry.id, lot_id: l.id, points: -l.remaining })),
  );
  return entry;
}
