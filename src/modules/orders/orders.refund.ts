import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { formatMoney } from '../../core/money.js';
import { computeRefundReversal } from '../../core/points.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import { reverseOrderPoints } from '../points/index.js';
import { getProgram } from '../program/index.js';
import { COUNTED, lockOrderForChange, money, plural, toOrderView, toRefundView, type MoneyInput } from './orders.common.js';
import * as repo from './orders.repo.js';
import type { OrderRow } from './orders.repo.js';

/** How the order is named to staff: the store's number ("#1001") when it has one, else its id. */
const orderLabel = (o: { number: string | null; external_id: string }) => (o.number ? `order ${o.number}` : `order #${o.external_id}`);

/**
 * The part of the order's eligible amount a refund takes back, in minor units. Given
 * explicitly (`eligibleAmount`: the refunded items after their discounts, without shipping
 * and tax), it may not exceed what is left. Without it, the refunded money counts in the
 * order's proportion of eligible amount to total (cumulatively, so the refund that returns
 * the whole total takes back the whole eligible amount).
 */
function eligiblePart(order: OrderRow, amountMinor: bigint, given: MoneyInput | undefined, currency: string): bigint {
  const eligible = BigInt(order.eligible_minor);
  const already = BigInt(order.eligible_refunded_minor);
  const left = eligible - already;
  if (given) {
    const e = money('eligibleAmount', given, currency);
    if (e > left) {
      throw new AppError('CONFLICT', `Only ${formatMoney(left, currency)} ${currency} of this order's eligible amount is left to refund`, {
        field: 'eligibleAmount.amount',
        eligibleLeft: formatMoney(left, currency),
        eligibleAmount: given.amount,
      });
    }
    return e;
  }
  const total = BigInt(order.total_minor);
  if (total === 0n) return 0n;
  const cumulativeMoney = BigInt(order.refunded_minor) + amountMinor;
  const cumulative = cumulativeMoney >= total ? eligible : (cumulativeMoney * eligible) / total;
  const part = cumulative - already;
  return part < 0n ? 0n : part > left ? left : part;
}

/**
 * Refunds part or all of an order (idempotent by refundId). Points come back in proportion
 * to the eligible amount refunded over the order's eligible amount (see eligiblePart), at
 * the rate the order earned at, never more in total than the order earned.
 */
export async function refundOrder(
  ctx: AppContext,
  orgId: string,
  orderId: string,
  input: { amount: MoneyInput; eligibleAmount?: MoneyInput | undefined; refundId?: string | undefined; reason?: string | undefined },
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
    const currency = order.currency.trim();
    const amountMinor = money('amount', input.amount, currency);
    if (amountMinor === 0n) throw AppError.validation('amount.amount', 'must be greater than zero');
    const refundable = BigInt(order.total_minor - order.refunded_minor);
    if (amountMinor > refundable) {
      throw new AppError('CONFLICT', `Only ${formatMoney(refundable, currency)} ${currency} of this order is left to refund`, {
        refundable: formatMoney(refundable, currency),
        amount: input.amount.amount,
      });
    }
    const eligibleMinor = eligiblePart(order, amountMinor, input.eligibleAmount, currency);
    // An order without an eligible amount (nothing earned on items) falls back to the money refunded over the total.
    const target =
      order.eligible_minor > 0
        ? computeRefundReversal({
            orderEarned: order.points_earned,
            alreadyReversed: order.points_reversed,
            orderTotalMinor: BigInt(order.eligible_minor),
            alreadyRefundedMinor: BigInt(order.eligible_refunded_minor),
            refundMinor: eligibleMinor,
          })
        : computeRefundReversal({
            orderEarned: order.points_earned,
            alreadyReversed: order.points_reversed,
            orderTotalMinor: BigInt(order.total_minor),
            alreadyRefundedMinor: BigInt(order.refunded_minor),
            refundMinor: amountMinor,
          });
    const label = orderLabel(order);
    const why = `Refund of ${formatMoney(amountMinor, currency)} ${currency} on ${label}`;
    const applied = await reverseOrderPoints(tx, ctx, { program, customer, order, points: target, why, actor, at: now });
    const updated = await repo.updateOrder(tx, orgId, orderId, {
      refunded_minor: order.refunded_minor + Number(amountMinor),
      eligible_refunded_minor: order.eligible_refunded_minor + Number(eligibleMinor),
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
      eligible_minor: Number(eligibleMinor),
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
      summary: `Refund of ${formatMoney(amountMinor, currency)} ${currency} on ${label}: ${plural(applied)} reversed`,
      payload: {
        orderId,
        refundId,
        amount: formatMoney(amountMinor, currency),
        eligibleAmount: formatMoney(eligibleMinor, currency),
        pointsReversed: applied,
        pointsForgiven: target - applied,
      },
      at: now,
    });
    await emit(tx, ctx, { type: 'order.refunded', orgId, payload: { orderId, customerId: customer.id, pointsReversed: applied } }, { actor, at: now, customer, order: updated });
    return { order: toOrderView(updated), refund: toRefundView(refund, order.currency), created: true };
  });
}
