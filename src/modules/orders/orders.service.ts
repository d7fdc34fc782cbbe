import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx, type Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { canEarn } from '../../core/membership.js';
import { formatMoney, isCurrency, MoneyFormatError, parseMoney } from '../../core/money.js';
import { computeOrderPoints, computeRefundReversal } from '../../core/points.js';
import { recordActivity } from '../activity/activity.repo.js';
import { emitEvent } from '../events/events.repo.js';
import { activate, cancelPending, credit, debit } from '../points/points.ledger.js';
import type { CustomerRow } from '../points/points.repo.js';
import { expiryFor, ledgerHooks, lockForChange } from '../points/points.service.js';
import type { OrderStatus } from '../points/points.tables.js';
import { getProgram, type ProgramSettings } from '../program/program.service.js';
import * as repo from './orders.repo.js';
import type { OrderRow } from './orders.repo.js';

export interface MoneyInput {
  amount: string;
  currency: string;
}

export interface OrderInput {
  externalId: string;
  customerId?: string | undefined;
  customerExternalId?: string | undefined;
  total: MoneyInput;
  eligibleAmount?: MoneyInput | undefined;
  status?: OrderStatus | undefined;
  discountCodes?: string[] | undefined;
  placedAt?: string | undefined;
}

/** Extension points for features that react to orders (tiers, coupons, referrals). */
export const orderHooks: {
  /** Earn multiplier for this customer at this moment, as a decimal string, with a label for the explanation. */
  multiplier: (tx: Tx, orgId: string, customer: CustomerRow) => Promise<{ factor: string; label: string | null }>;
  /** Run in the order's transaction once it counts (paid or fulfilled). */
  afterOrderCounted: ((tx: Tx, ctx: AppContext, customer: CustomerRow, order: OrderRow, actor: Actor) => Promise<void>)[];
} = { multiplier: async () => ({ factor: '1', label: null }), afterOrderCounted: [] };

const COUNTED: ReadonlySet<OrderStatus> = new Set(['paid', 'fulfilled']);
const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

function money(field: string, m: MoneyInput, orgCurrency: string): bigint {
  if (!isCurrency(m.currency)) throw AppError.validation(`${field}.currency`, `"${String(m.currency)}" is not an ISO 4217 currency code`);
  if (m.currency !== orgCurrency) {
    throw new AppError('RULE_REFUSED', `${field}: orders must be in the organization currency ${orgCurrency}, not ${m.currency}`, {
      field: `${field}.currency`,
    });
  }
  try {
    const minor = parseMoney(m.amount, m.currency);
    if (minor < 0n) throw AppError.validation(`${field}.amount`, 'must not be negative');
    return minor;
  } catch (err) {
    if (err instanceof MoneyFormatError) throw AppError.validation(`${field}.amount`, err.reason);
    throw err;
  }
}

export function toOrderView(o: OrderRow) {
  const cur = o.currency.trim();
  const m = (minor: number) => ({ amount: formatMoney(BigInt(minor), cur), currency: cur });
  return {
    id: o.id,
    externalId: o.external_id,
    customerId: o.customer_id,
    status: o.status,
    total: m(o.total_minor),
    eligibleAmount: m(o.eligible_minor),
    refunded: m(o.refunded_minor),
    discountCodes: o.discount_codes,
    placedAt: o.placed_at.toISOString(),
    fulfilledAt: o.fulfilled_at?.toISOString() ?? null,
    cancelledAt: o.cancelled_at?.toISOString() ?? null,
    pointsEarned: o.points_earned,
    pointsReversed: o.points_reversed,
    explanation: o.explanation,
    createdAt: o.created_at.toISOString(),
  };
}

async function resolveCustomerId(tx: Tx, orgId: string, input: OrderInput): Promise<string> {
  if (input.customerId) return input.customerId;
  if (!input.customerExternalId) throw AppError.validation('customerId', 'give customerId or customerExternalId');
  const row = await tx
    .selectFrom('customers')
    .select('id')
    .where('org_id', '=', orgId)
    .where('external_id', '=', input.customerExternalId)
    .executeTakeFirst();
  if (!row) throw new AppError('NOT_FOUND', `No customer with externalId "${input.customerExternalId}"`, { customerExternalId: input.customerExternalId });
  return row.id;
}

/** Earns the order's points once (unique key order:<id>:earn), pending or active per the program. */
async function earnForOrder(tx: Tx, ctx: AppContext, program: ProgramSettings, customer: CustomerRow, order: OrderRow, actor: Actor, at: Date): Promise<OrderRow> {
  if (order.points_earned > 0 || order.explanation !== null) return order;
  if (!canEarn(customer.membership_type, { guestEarning: program.guestEarning })) {
    const why = customer.membership_type === 'left' ? 'the customer left the program' : 'guests do not earn in this program';
    return repo.updateOrder(tx, order.org_id, order.id, { explanation: `No points: ${why}`, updated_at: at });
  }
  const mult = await orderHooks.multiplier(tx, order.org_id, customer);
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
  const fulfilled = order.status === 'fulfilled';
  const waitForFulfilment = program.awardOn === 'fulfilled' && !fulfilled;
  const activatesAt = waitForFulfilment ? null : new Date((fulfilled && order.fulfilled_at ? order.fulfilled_at : at).getTime() + program.pendingDays * 86_400_000);
  const pending = waitForFulfilment || program.pendingDays > 0 ? { activatesAt } : undefined;
  const entry = await credit(tx, {
    orgId: order.org_id,
    customer,
    kind: 'earn_order',
    points: computed.points,
    reason: `Order #${order.external_id}`,
    customerMessage: `Points for order #${order.external_id}`,
    countsTowardTier: true,
    explanation,
    sourceType: 'order',
    sourceId: order.id,
    uniqueKey: `order:${order.id}:earn`,
    actor,
    at,
    pending,
    expiresAt: expiryFor(program, at),
    orderId: order.id,
  });
  await ledgerHooks.afterTierRelevantChange(tx, ctx, customer, { entry, orderId: order.id }, actor);
  return updated;
}

async function countOrder(tx: Tx, ctx: AppContext, customer: CustomerRow, order: OrderRow, actor: Actor): Promise<void> {
  const value = order.total_minor - order.refunded_minor;
  await repo.addToOrderSummary(tx, order.org_id, customer.id, 1, value);
  customer.orders_count += 1;
  customer.lifetime_value_minor += value;
  for (const hook of orderHooks.afterOrderCounted) await hook(tx, ctx, customer, order, actor);
}

/** Activates the order's pending points when fulfilment is what they waited for. */
async function onFulfilled(tx: Tx, program: ProgramSettings, customer: CustomerRow, order: OrderRow, actor: Actor, at: Date): Promise<void> {
  const lot = await repo.orderLot(tx, order.org_id, order.id);
  if (!lot || lot.status !== 'pending' || lot.activates_at !== null) return;
  const activatesAt = new Date(at.getTime() + program.pendingDays * 86_400_000);
  if (program.pendingDays > 0) {
    await tx.updateTable('points_lots').set({ activates_at: activatesAt }).where('org_id', '=', lot.org_id).where('id', '=', lot.id).execute();
    return;
  }
  await activate(tx, {
    orgId: order.org_id,
    customer,
    kind: 'activation',
    lot,
    reason: `Order #${order.external_id} fulfilled`,
    explanation: `${plural(lot.remaining)} from order #${order.external_id} became spendable on fulfilment`,
    sourceType: 'order',
    sourceId: order.id,
    actor,
    at,
  });
}

/** Locks the order's customer, then the order (always in that order, so changes never deadlock). */
async function lockOrderForChange(tx: Tx, orgId: string, orderId: string): Promise<{ customer: CustomerRow; order: OrderRow }> {
  const peek = await repo.findOrder(tx, orgId, orderId);
  if (!peek) throw AppError.notFound('Order', orderId);
  const customer = await lockForChange(tx, orgId, peek.customer_id);
  const order = (await repo.lockOrder(tx, orgId, orderId))!;
  return { customer, order };
}

/** Creates an order (idempotent by externalId) or moves an existing one forward (paid, fulfilled). */
export async function recordOrder(ctx: AppContext, orgId: string, input: OrderInput, actor: Actor) {
  const org = await ctx.db.selectFrom('organizations').select('currency').where('id', '=', orgId).executeTakeFirstOrThrow();
  const currency = org.currency.trim();
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
      explanation: null,
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
      await countOrder(tx, ctx, customer, order, actor);
      order = await earnForOrder(tx, ctx, program, customer, order, actor, now);
    }
    await recordActivity(tx, {
      orgId,
      customerId,
      type: 'order.created',
      actor,
      summary: `Order #${order.external_id} (${formatMoney(totalMinor, currency)} ${currency}, ${order.status})${order.points_earned ? `: ${plural(order.points_earned)}` : ''}`,
      payload: { orderId: order.id, externalId: order.external_id, status: order.status, total: formatMoney(totalMinor, currency), pointsEarned: order.points_earned, explanation: order.explanation },
      at: now,
    });
    await emitEvent(tx, { orgId, type: 'order.created', payload: { orderId: order.id, customerId, pointsEarned: order.points_earned }, at: now });
    return { order: toOrderView(order), created: true };
  });
}

const RANK: Record<OrderStatus, number> = { pending: 0, paid: 1, fulfilled: 2, cancelled: 3 };

async function advance(tx: Tx, ctx: AppContext, program: ProgramSettings, customer: CustomerRow, order: OrderRow, to: OrderStatus, actor: Actor, now: Date): Promise<OrderRow> {
  if (to === 'cancelled') return order.status === 'cancelled' ? order : cancelInTx(tx, program, customer, order, actor, now, 'Order cancelled by the platform');
  if (order.status === 'cancelled' || RANK[to] <= RANK[order.status]) return order;
  const wasCounted = COUNTED.has(order.status);
  let updated = await repo.updateOrder(tx, order.org_id, order.id, {
    status: to,
    ...(to === 'fulfilled' ? { fulfilled_at: now } : {}),
    updated_at: now,
  });
  if (!wasCounted) await countOrder(tx, ctx, customer, updated, actor);
  updated = await earnForOrder(tx, ctx, program, customer, updated, actor, now);
  if (to === 'fulfilled') await onFulfilled(tx, program, customer, updated, actor, now);
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

/** Takes back `points` of this order: cancels pending points, otherwise debits per the clawback policy. */
async function reverseOrderPoints(tx: Tx, program: ProgramSettings, customer: CustomerRow, order: OrderRow, points: number, why: string, sourceId: string, actor: Actor, at: Date): Promise<number> {
  if (points <= 0) return 0;
  const lot = await repo.orderLot(tx, order.org_id, order.id);
  const base = {
    orgId: order.org_id,
    customer,
    kind: 'order_reversal' as const,
    reason: why,
    customerMessage: `Points reversed: ${why.toLowerCase()}`,
    explanation: `-${plural(points)}: ${why}, in proportion to the ${plural(order.points_earned)} order #${order.external_id} earned`,
    sourceType: 'order',
    sourceId,
    actor,
    at,
  };
  if (lot && lot.status === 'pending') {
    const e = await cancelPending(tx, { ...base, lot, points, explanation: `${base.explanation} (pending points cancelled)` });
    return -e.points;
  }
  const mode = program.clawbackPolicy === 'allow_negative' ? 'allow_negative' : 'clamp';
  const r = await debit(tx, { ...base, points, mode, preferLotIds: lot ? [lot.id] : [] });
  return r.applied;
}

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
    const applied = await reverseOrderPoints(tx, program, customer, order, target, `Refund of ${formatMoney(amountMinor, order.currency.trim())} ${order.currency.trim()} on order #${order.external_id}`, order.id, actor, now);
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
    await emitEvent(tx, { orgId, type: 'order.refunded', payload: { orderId, customerId: customer.id, pointsReversed: applied }, at: now });
    return { order: toOrderView(updated), refund: toRefundView(refund, order.currency), created: true };
  });
}

function toRefundView(r: { id: string; external_id: string; amount_minor: number; points_reversed: number; reason: string | null; created_at: Date }, currency: string) {
  const cur = currency.trim();
  return {
    id: r.id,
    refundId: r.external_id,
    amount: { amount: formatMoney(BigInt(r.amount_minor), cur), currency: cur },
    pointsReversed: r.points_reversed,
    reason: r.reason,
    createdAt: r.created_at.toISOString(),
  };
}

async function cancelInTx(tx: Tx, program: ProgramSettings, customer: CustomerRow, order: OrderRow, actor: Actor, now: Date, why: string): Promise<OrderRow> {
  const remaining = order.points_earned - order.points_reversed;
  const applied = await reverseOrderPoints(tx, program, customer, order, remaining, `Cancellation of order #${order.external_id}`, order.id, actor, now);
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
  await emitEvent(tx, { orgId: order.org_id, type: 'order.cancelled', payload: { orderId: order.id, customerId: customer.id }, at: now });
  return updated;
}

export async function cancelOrder(ctx: AppContext, orgId: string, orderId: string, reason: string | undefined, actor: Actor) {
  const program = await getProgram(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const { customer, order } = await lockOrderForChange(tx, orgId, orderId);
    if (order.status === 'cancelled') return toOrderView(order);
    return toOrderView(await cancelInTx(tx, program, customer, order, actor, now, reason ?? 'Order cancelled'));
  });
}

export async function fulfilOrder(ctx: AppContext, orgId: string, orderId: string, actor: Actor) {
  const program = await getProgram(ctx.db, orgId);
  return withTx(ctx.db, async (tx) => {
    const now = ctx.clock.now();
    const { customer, order } = await lockOrderForChange(tx, orgId, orderId);
    if (order.status === 'cancelled') throw new AppError('CONFLICT', 'A cancelled order cannot be fulfilled', { orderId });
    return toOrderView(await advance(tx, ctx, program, customer, order, 'fulfilled', actor, now));
  });
}

export async function getOrder(ctx: AppContext, orgId: string, orderId: string) {
  const order = await repo.findOrder(ctx.db, orgId, orderId);
  if (!order) throw AppError.notFound('Order', orderId);
  const refunds = await repo.refundsOf(ctx.db, orgId, orderId);
  return { ...toOrderView(order), refunds: refunds.map((r) => toRefundView(r, order.currency)) };
}

export async function listCustomerOrders(ctx: AppContext, orgId: string, customerId: string, limit: number, before: { placedAt: Date; id: string } | null) {
  const exists = await ctx.db.selectFrom('customers').select('id').where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
  if (!exists) throw AppError.notFound('Customer', customerId);
  const rows = await repo.listCustomerOrders(ctx.db, orgId, customerId, limit + 1, before);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(toOrderView), next: rows.length > limit && last ? { placedAt: last.placed_at.toISOString(), id: last.id } : null };
}
