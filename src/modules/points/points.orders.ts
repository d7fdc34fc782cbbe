import type { Actor, AppContext } from '../../context.js';
import type { Tx } from '../../db/tx.js';
import type { Selectable } from 'kysely';
import type { ProgramSettings } from '../program/index.js';
import { expiryFor } from './points.expiry.js';
import { activate, cancelPending, credit, debit } from './points.ledger.js';
import * as repo from './points.repo.js';
import type { CustomerRow, EntryRow } from './points.repo.js';
import type { OrdersTable } from './points.tables.js';

/** An order as the ledger reads it (the table type lives beside the ledger's lots). */
type OrderRow = Selectable<OrdersTable>;

/**
 * What the ledger does for orders: it owns the order's lot (pending until paid or fulfilled,
 * activated on fulfilment, cancelled or debited back on refund and cancellation). Orders ask;
 * they never touch lots.
 */

const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

export interface OrderEarning {
  program: ProgramSettings;
  customer: CustomerRow;
  order: OrderRow;
  points: number;
  explanation: string;
  actor: Actor;
  at: Date;
}

/** Credits an order's points once (unique key order:<id>:earn), pending or active per the program. */
export async function earnOrderPoints(tx: Tx, ctx: AppContext, e: OrderEarning): Promise<EntryRow> {
  const { program, order, at } = e;
  const fulfilled = order.status === 'fulfilled';
  const waitForFulfilment = program.awardOn === 'fulfilled' && !fulfilled;
  const activatesAt = waitForFulfilment ? null : new Date((fulfilled && order.fulfilled_at ? order.fulfilled_at : at).getTime() + program.pendingDays * 86_400_000);
  const pending = waitForFulfilment || program.pendingDays > 0 ? { activatesAt } : undefined;
  return credit(tx, ctx, {
    orgId: order.org_id,
    customer: e.customer,
    kind: 'earn_order',
    points: e.points,
    reason: `Order #${order.external_id}`,
    customerMessage: `Points for order #${order.external_id}`,
    countsTowardTier: true,
    explanation: e.explanation,
    sourceType: 'order',
    sourceId: order.id,
    uniqueKey: `order:${order.id}:earn`,
    actor: e.actor,
    at,
    pending,
    expiresAt: expiryFor(program, at),
    orderId: order.id,
  });
}

/** Activates the order's pending points when fulfilment is what they waited for (or starts their pending period). */
export async function activateOnFulfilment(tx: Tx, ctx: AppContext, program: ProgramSettings, customer: CustomerRow, order: OrderRow, actor: Actor, at: Date): Promise<void> {
  const lot = await repo.orderLot(tx, order.org_id, order.id);
  if (!lot || lot.status !== 'pending' || lot.activates_at !== null) return;
  if (program.pendingDays > 0) {
    await repo.setLotActivation(tx, lot.org_id, lot.id, new Date(at.getTime() + program.pendingDays * 86_400_000));
    return;
  }
  await activate(tx, ctx, {
    orgId: order.org_id,
    customer,
    kind: 'activation',
    lot,
    reason: `Order #${order.external_id} fulfilled`,
    explanation: `${plural(lot.remaining)} from order #${order.external_id} became spendable on fulfilment`,
    sourceType: 'order',
    sourceId: order.id,
    orderId: order.id,
    actor,
    at,
  });
}

export interface OrderReversal {
  program: ProgramSettings;
  customer: CustomerRow;
  order: OrderRow;
  points: number;
  why: string;
  actor: Actor;
  at: Date;
}

/** Takes back `points` of the order: cancels pending points, otherwise debits per the clawback policy. Returns the points taken. */
export async function reverseOrderPoints(tx: Tx, ctx: AppContext, r: OrderReversal): Promise<number> {
  const { order, points } = r;
  if (points <= 0) return 0;
  const lot = await repo.orderLot(tx, order.org_id, order.id);
  const base = {
    orgId: order.org_id,
    customer: r.customer,
    kind: 'order_reversal' as const,
    reason: r.why,
    customerMessage: `Points reversed: ${r.why.toLowerCase()}`,
    explanation: `-${plural(points)}: ${r.why}, in proportion to the ${plural(order.points_earned)} order #${order.external_id} earned`,
    sourceType: 'order',
    sourceId: order.id,
    orderId: order.id,
    actor: r.actor,
    at: r.at,
  };
  if (lot && lot.status === 'pending') {
    const e = await cancelPending(tx, ctx, { ...base, lot, points, explanation: `${base.explanation} (pending points cancelled)` });
    return -e.points;
  }
  const mode = r.program.clawbackPolicy === 'allow_negative' ? 'allow_negative' : 'clamp';
  const d = await debit(tx, ctx, { ...base, points, mode, preferLotIds: lot ? [lot.id] : [] });
  return d.applied;
}
