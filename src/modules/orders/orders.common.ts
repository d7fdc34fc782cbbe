import type { Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { formatMoney, isCurrency, MoneyFormatError, parseMoney } from '../../core/money.js';
import type { CustomerRow } from '../points/index.js';
import { lockForChange } from '../points/index.js';
import type { OrderStatus } from '../points/index.js';
import * as repo from './orders.repo.js';
import type { OrderRow } from './orders.repo.js';

export interface MoneyInput {
  amount: string;
  currency: string;
}

export interface OrderInput {
  externalId: string;
  number?: string | undefined;
  customerId?: string | undefined;
  customerExternalId?: string | undefined;
  total: MoneyInput;
  eligibleAmount?: MoneyInput | undefined;
  status?: OrderStatus | undefined;
  discountCodes?: string[] | undefined;
  placedAt?: string | undefined;
  /** Records the order without earning (e.g. a store's history imported without points): the reason, shown as its explanation. */
  noEarnReason?: string | undefined;
}

/** Orders that count toward the customer's order count, lifetime value and earning. */
export const COUNTED: ReadonlySet<OrderStatus> = new Set(['paid', 'fulfilled']);
export const plural = (n: number) => `${n} point${n === 1 ? '' : 's'}`;

/** Parses an amount in the organization currency to minor units; errors name the field. */
export function money(field: string, m: MoneyInput, orgCurrency: string): bigint {
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
    number: o.number,
    customerId: o.customer_id,
    status: o.status,
    total: m(o.total_minor),
    eligibleAmount: m(o.eligible_minor),
    refunded: m(o.refunded_minor),
    eligibleRefunded: m(o.eligible_refunded_minor),
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

/** Locks the order's customer, then the order (always in that order, so changes never deadlock). */
export async function lockOrderForChange(tx: Tx, orgId: string, orderId: string): Promise<{ customer: CustomerRow; order: OrderRow }> {
  const peek = await repo.findOrder(tx, orgId, orderId);
  if (!peek) throw AppError.notFound('Order', orderId);
  const customer = await lockForChange(tx, orgId, peek.customer_id);
  const order = (await repo.lockOrder(tx, orgId, orderId))!;
  return { customer, order };
}

export function toRefundView(r: { id: string; external_id: string; amount_minor: number; eligible_minor: number | null; points_reversed: number; reason: string | null; created_at: Date }, currency: string) {
  const cur = currency.trim();
  return {
    id: r.id,
    refundId: r.external_id,
    amount: { amount: formatMoney(BigInt(r.amount_minor), cur), currency: cur },
    eligibleAmount: r.eligible_minor === null ? null : { amount: formatMoney(BigInt(r.eligible_minor), cur), currency: cur },
    pointsReversed: r.points_reversed,
    reason: r.reason,
    createdAt: r.created_at.toISOString(),
  };
}
