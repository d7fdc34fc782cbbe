import type { Actor, AppContext } from '../../context.js';
import { withTx, type Tx } from '../../db/tx.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import { reverseOrderPoints } from '../points/index.js';
import type { CustomerRow } from '../points/index.js';
import { getProgram, type ProgramSettings } from '../program/index.js';
import { COUNTED, lockOrderForChange, plural, toOrderView } from './orders.common.js';
import * as repo from './orders.repo.js';
import type { OrderRow } from './orders.repo.js';

/** Cancels the order in the caller's transaction: the ledger takes back what is left of its points. */
export async function cancelInTx(tx: Tx, ctx: AppContext, program: ProgramSettings, customer: CustomerRow, order: OrderRow, actor: Actor, now: Date, why: string): Promise<OrderRow> {
  const remaining = order.points_earned - order.points_reversed;
  const applied = await reverseOrderPoints(tx, ctx, { program, customer, order, points: remaining, why: `Cancellation of order #${order.external_id}`, actor, at: now });
  if (COUNTED.has(order.status)) await repo.addToOrderSummary(tx, order.org_id, customer.id, -1, -(order.total_minor - order.refunded_minor));
  const updated = await repo.updateOrder(tx, order.org_id, order.id, {
    status: 'cancelled',
    cancelled_at: now,
    points_reversed: order.points_earned,
    updated_at: now,
  });
  await recordActivity(tx, {
    orgId: order.org_id,
    customerId: customer.id,
    type: 'order.cancelled',
    actor,
    summary: `Order #${order.external_id} cancelled: ${plural(applied)} reversed`,
    payload: { orderId: order.id, pointsReversed: applied, reason: why },
    at: now,
  });
  await emit(tx, ctx, { type: 'order.cancelled', orgId: order.org_id, payload: { orderId: order.id, customerId: customer.id } }, { actor, at: now, customer, order: updated });
  return updated;
}

export async function cancelOrder(ctx: AppContext, orgId: string, orderId: string, reason: string | undefined, actor: Actor) {
  const program = await getProgram(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const { customer, order } = await lockOrderForChange(tx, orgId, orderId);
    if (order.status === 'cancelled') return toOrderView(order);
    return toOrderView(await cancelInTx(tx, ctx, program, customer, order, actor, now, reason ?? 'Order cancelled'));
  });
}

