import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { formatMoney } from '../../core/money.js';
import { computeRefundReversal } from '../../core/points.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import { reverseOrderPoints } from '../points/points.orders.js';
import { getProgram } from '../program/program.service.js';
import { COUNTED, lockOrderForChange, money, plural, toOrderView, toRefundView, type MoneyInput } from './orders.common.js';
import * as repo from './orders.repo.js';

/** Refunds part or all of an order (idempotent by refundId); the ledger takes back points in proportion. */
export async function refundOrder(
  ctx: AppContext,
  orgId: string,
  orderId: string,
  input: { amount: MoneyInput; refundId?: string | undefined; reason?: string | undefined },
  actor: Actor,
) {
  const program = await getProgram(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const { customer, order } = await lockOrderForChange(tx, orgId, orderId);
    const refundId = input.refundId ?? newId(now.getTime());
    const previous = input.refundId ? await repo.findRefund(tx, orgId, orderId, refundId) : undefined;
    if (previous) return { order: toOrderView(order), refund: toRefundView(previous, order.currency), created: false };
    if (order.status === 'cancelled') throw new AppError('CONFLICT', 'This order was cancelled; there is nothing left to refund', { orderId });
    const amountMinor = money('amount', input.amount, order.currency.trim());
    if (amountMinor === 0n) throw AppError.validation('amount.amount', 'must be greater than zero');
    const refundable = BigInt(order.total_minor - order.refunded_minor);
    if (amountMinor > refundable) {
      throw new AppError('CONFLICT', `Only ${formatMoney(refundable, order.currency.trim())} ${order.currency.trim()} of this order is left to refund`, {
        refundable: formatMoney(refundable, order.currency.trim()),
        amount: input.amount.amount,
      });
    }
    const target = computeRefundReversal({
      orderEarned: order.points_earned,
      alreadyReversed: order.points_reversed,
      orderTotalMinor: BigInt(order.total_minor),
      alreadyRefundedMinor: BigInt(order.refunded_minor),
      refundMinor: amountMinor,
    });
    const why = `Refund of ${formatMoney(amountMinor, order.currency.trim())} ${order.currency.trim()} on order #${order.external_id}`;
    const applied = await reverseOrderPoints(tx, ctx, { program, customer, order, points: target, why, actor, at: now });
    const updated = await repo.updateOrder(tx, orgId, orderId, {
      refunded_minor: order.refunded_minor + Number(amountMinor),
      points_reversed: order.points_reversed + target,
      updated_at: now,
    });
    if (COUNTED.has(order.status)) await repo.addToOrderSummary(tx, orgId, customer.id, 0, -Number(amountMinor));
    const refund = {
      org_id: orgId,
      id: newId(now.getTime()),
      order_id: orderId,
      external_id: refundId,
      amount_minor: Number(amountMinor),
      points_reversed: applied,
      reason: input.reason ?? null,
      created_at: now,
    };
    await repo.insertRefund(tx, refund);
    await recordActivity(tx, {
      orgId,
      customerId: customer.id,
      type: 'order.refunded',
      actor,
      summary: `Refund of ${formatMoney(amountMinor, order.currency.trim())} ${order.currency.trim()} on order #${order.external_id}: ${plural(applied)} reversed`,
      payload: { orderId, refundId, amount: formatMoney(amountMinor, order.currency.trim()), pointsReversed: applied, pointsForgiven: target - applied },
      at: now,
    });
    await emit(tx, ctx, { type: 'order.refunded', orgId, payload: { orderId, customerId: customer.id, pointsReversed: applied } }, { actor, at: now, customer, order: updated });
    return { order: toOrderView(updated), refund: toRefundView(refund, order.currency), created: true };
  });
}
