import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { canEarn } from '../../core/membership.js';
import { formatMoney } from '../../core/money.js';
import { computeOrderPoints } from '../../core/points.js';
import { emit } from '../../events/emit.js';
import { recordActivity } from '../activity/index.js';
import { activateOnFulfilment, earnOrderPoints } from '../points/index.js';
import type { CustomerRow } from '../points/index.js';
import { lockForChange } from '../points/index.js';
import type { OrderStatus } from '../points/index.js';
import { getProgram, type ProgramSettings } from '../program/index.js';
import { cancelInTx } from './orders.cancel.js';
import { COUNTED, money, plural, toOrderView, type OrderInput } from './orders.common.js';
import * as repo from './orders.repo.js';
import type { OrderRow } from './orders.repo.js';

/** Earns the order's points once (the ledger keys it order:<id>:earn), pending or active per the program. */
async function earnForOrder(tx: Tx, ctx: AppContext, program: ProgramSettings, customer: CustomerRow, order: OrderRow, actor: Actor, at: Date): Promise<OrderRow> {
  if (order.points_earned > 0 || order.explanation !== null) return order;
  if (!canEarn(customer.membership_type, { guestEarning: program.guestEarning })) {
    const why = customer.membership_type === 'left' ? 'the customer left the program' : 'guests do not earn in this program';
    return repo.updateOrder(tx, order.org_id, order.id, { explanation: `No points: ${why}`, updated_at: at });
  }
  const mult = await ctx.events.earnMultiplier(tx, order.org_id, customer);
  const computed = computeOrderPoints({
    eligibleMinor: BigInt(order.eligible_minor),
    currency: order.currency.trim(),
    earnRate: program.earnRate,
    multiplier: mult.factor,
    rounding: program.rounding,
  });
  const explanation = `${computed.explanation.replace(/^\d+ points?: /, `${plural(computed.points)}: order #${order.external_id}, `)}${mult.label ? ` (${mult.label})` : ''}`;
  const updated = await repo.updateOrder(tx, order.org_id, order.id, {
    points_earned: computed.points,
    earn_rate: program.earnRate,
    tier_multiplier: mult.factor,
    explanation,
    updated_at: at,
  });
  if (computed.points === 0) return updated;
  await earnOrderPoints(tx, ctx, { program, customer, order, points: computed.points, explanation, actor, at });
  return updated;
}

/** The order now counts: order count and lifetime value grow, and order.counted lets tiers, coupons and referrals react. */
async function countOrder(tx: Tx, ctx: AppContext, customer: CustomerRow, order: OrderRow, actor: Actor, at: Date): Promise<void> {
  const value = order.total_minor - order.refunded_minor;
  await repo.addToOrderSummary(tx, order.org_id, customer.id, 1, value);
  customer.orders_count += 1;
  customer.lifetime_value_minor += value;
  const payload = { orderId: order.id, customerId: customer.id, value: formatMoney(BigInt(value), order.currency.trim()) };
  await emit(tx, ctx, { type: 'order.counted', orgId: order.org_id, payload }, { actor, at, customer, order });
}

/** Creates an order (idempotent by externalId) or moves an existing one forward (paid, fulfilled). */
export async function recordOrder(ctx: AppContext, orgId: string, input: OrderInput, actor: Actor) {
  const currency = await repo.orgCurrency(ctx.db, orgId);
  const totalMinor = money('total', input.total, currency);
  const eligibleMinor = input.eligibleAmount ? money('eligibleAmount', input.eligibleAmount, currency) : totalMinor;
  if (eligibleMinor > totalMinor) throw AppError.validation('eligibleAmount', 'must not exceed total');
  const placedAt = input.placedAt ? new Date(input.placedAt) : ctx.clock.now();
  const status = input.status ?? 'paid';
  const program = await getProgram(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const customerId = await resolveCustomerId(tx, orgId, input);
    const customer = await lockForChange(tx, orgId, customerId);
    const inserted = await repo.insertOrderIfAbsent(tx, {
      org_id: orgId,
      id: newId(now.getTime()),
      external_id: input.externalId,
      number: input.number ?? null,
      customer_id: customerId,
      currency,
      total_minor: Number(totalMinor),
      eligible_minor: Number(eligibleMinor),
      status: status === 'cancelled' ? 'cancelled' : status,
      discount_codes: input.discountCodes ?? [],
      placed_at: placedAt,
      fulfilled_at: status === 'fulfilled' ? now : null,
      cancelled_at: status === 'cancelled' ? now : null,
      earn_rate: null,
      tier_multiplier: null,
      explanation: input.noEarnReason ? `No points: ${input.noEarnReason}` : null,
      created_at: now,
      updated_at: now,
    });
    if (!inserted) {
      const existing = (await repo.lockOrderByExternalId(tx, orgId, input.externalId))!;
      if (existing.customer_id !== customerId) {
        throw new AppError('CONFLICT', `Order ${input.externalId} already belongs to another customer`, { orderId: existing.id });
      }
      const advanced = await advance(tx, ctx, program, customer, existing, status, actor, now);
      return { order: toOrderView(advanced), created: false };
    }
    let order = inserted;
    if (COUNTED.has(order.status)) {
      await countOrder(tx, ctx, customer, order, actor, now);
      order = await earnForOrder(tx, ctx, program, customer, order, actor, now);
    }
    await recordActivity(tx, {
      orgId,
      customerId,
      type: 'order.created',
      actor,
      summary: `Order ${order.number ?? `#${order.external_id}`} (${formatMoney(totalMinor, currency)} ${currency}, ${order.status})${order.points_earned ? `: ${plural(order.points_earned)}` : ''}`,
      payload: { orderId: order.id, externalId: order.external_id, status: order.status, total: formatMoney(totalMinor, currency), pointsEarned: order.points_earned, explanation: order.explanation },
      at: now,
    });
    await emit(tx, ctx, { type: 'order.created', orgId, payload: { orderId: order.id, customerId, pointsEarned: order.points_earned } }, { actor, at: now, customer, order });
    return { order: toOrderView(order), created: true };
  });
}

async function resolveCustomerId(tx: Tx, orgId: string, input: OrderInput): Promise<string> {
  if (input.customerId) return input.customerId;
  if (!input.customerExternalId) throw AppError.validation('customerId', 'give customerId or customerExternalId');
  const id = await repo.customerIdByExternalId(tx, orgId, input.customerExternalId);
  if (!id) throw new AppError('NOT_FOUND', `No customer with externalId "${input.customerExternalId}"`, { customerExternalId: input.customerExternalId });
  return id;
}

const RANK: Record<OrderStatus, number> = { pending: 0, paid: 1, fulfilled: 2, cancelled: 3 };

/** Moves an order forward (pending -> paid -> fulfilled) or cancels it; never backward. */
export async function advance(tx: Tx, ctx: AppContext, program: ProgramSettings, customer: CustomerRow, order: OrderRow, to: OrderStatus, actor: Actor, now: Date): Promise<OrderRow> {
  if (to === 'cancelled') return order.status === 'cancelled' ? order : cancelInTx(tx, ctx, program, customer, order, actor, now, 'Order cancelled by the platform');
  if (order.status === 'cancelled' || RANK[to] <= RANK[order.status]) return order;
  const wasCounted = COUNTED.has(order.status);
  let updated = await repo.updateOrder(tx, order.org_id, order.id, {
    status: to,
    ...(to === 'fulfilled' ? { fulfilled_at: now } : {}),
    updated_at: now,
  });
  if (!wasCounted) await countOrder(tx, ctx, customer, updated, actor, now);
  updated = await earnForOrder(tx, ctx, program, customer, updated, actor, now);
  if (to === 'fulfilled') await activateOnFulfilment(tx, ctx, program, customer, updated, actor, now);
  await recordActivity(tx, {
    orgId: order.org_id,
    customerId: customer.id,
    type: 'order.updated',
    actor,
    summary: `Order #${order.external_id} is now ${to}`,
    payload: { orderId: order.id, from: order.status, to },
    at: now,
  });
  return updated;
}
