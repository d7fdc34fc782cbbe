import { z } from 'zod';

/**
 * The catalog of domain events: one schema per event, versioned, each with a one-line
 * description. It is the single source for the outbox, in-transaction reactions, the
 * events page of the docs and the OpenAPI document's `webhooks`. Payloads carry ids,
 * point counts and money as decimal strings, never personal data.
 */

const id = z.string().min(1);
const points = z.number().int();
const money = z.string().regex(/^-?\d+(\.\d+)?$/, 'a decimal string');

/** Written with every ledger entry, so the ledger itself announces each credit and debit. */
const ledgerEntry = {
  customerId: id,
  entryId: id,
  /** Points moved by the entry (its absolute size). */
  points: points.nonnegative(),
  kind: z.enum(['earn_order', 'earn_rule', 'manual_add', 'manual_deduct', 'redeem', 'coupon_refund', 'order_reversal', 'rule_reversal', 'expiry', 'activation']),
  countsTowardTier: z.boolean(),
  sourceType: z.string().nullable(),
  sourceId: z.string().nullable(),
  orderId: id.nullable(),
};

interface Definition<S extends z.ZodTypeAny> {
  version: number;
  description: string;
  payload: S;
}

function def<S extends z.ZodTypeAny>(version: number, description: string, payload: S): Definition<S> {
  return { version, description, payload };
}

export const CATALOG = {
  'points.earned': def(1, 'Points were credited for an order, an earning rule, a referral or a tier entry reward.', z.object({ ...ledgerEntry, ruleId: id.nullable() }).strict()),
  'points.adjusted': def(1, 'Staff or an import added or deducted points by hand.', z.object({ ...ledgerEntry, direction: z.enum(['add', 'deduct']) }).strict()),
  'points.redeemed': def(1, 'Points were spent on a reward.', z.object(ledgerEntry).strict()),
  'points.restored': def(1, 'Points spent on a revoked coupon went back to the lots they came from.', z.object(ledgerEntry).strict()),
  'points.reversed': def(1, 'Points of a refunded or cancelled order, or of a removed custom action, were taken back.', z.object(ledgerEntry).strict()),
  'points.expired': def(1, 'Points expired (their lots reached the expiry date, or the program expired inactive balances).', z.object(ledgerEntry).strict()),
  'points.activated': def(1, 'Pending points became spendable.', z.object(ledgerEntry).strict()),
  'points.expiring': def(1, 'A reminder was due: some of the customer\'s points expire soon.', z.object({ customerId: id, points: points.positive(), expiresAt: z.string().datetime() }).strict()),
  'custom_action.removed': def(1, 'A custom action credited by mistake was removed and its points taken back.', z.object({ customerId: id, entryId: id, removedEntryId: id, points: points.nonnegative() }).strict()),
  'tier.changed': def(1, 'The customer moved to another tier (or out of tiers).', z.object({ customerId: id, previousTierId: id.nullable(), tierId: id.nullable(), cause: z.string(), orderId: id.nullable() }).strict()),
  'membership.changed': def(1, 'The customer\'s membership changed (member, guest, left).', z.object({ customerId: id, from: z.enum(['member', 'guest', 'left']), to: z.enum(['member', 'guest', 'left']) }).strict()),
  'customer.created': def(1, 'A customer was created (by the API, an import, a referral signup or the admin).', z.object({ customerId: id }).strict()),
  'customer.registered': def(1, 'A guest\'s store account became a registered account.', z.object({ customerId: id }).strict()),
  'customer.anonymized': def(1, 'A customer\'s personal data was erased; their id remains for the records.', z.object({ customerId: id }).strict()),
  'order.created': def(1, 'An order was recorded for a customer.', z.object({ orderId: id, customerId: id, pointsEarned: points.nonnegative() }).strict()),
  'order.counted': def(1, 'An order became paid or fulfilled and now counts toward the customer\'s order count and lifetime value.', z.object({ orderId: id, customerId: id, value: money }).strict()),
  'order.refunded': def(1, 'An order was refunded in full or in part.', z.object({ orderId: id, customerId: id, pointsReversed: points.nonnegative() }).strict()),
  'order.cancelled': def(1, 'An order was cancelled.', z.object({ orderId: id, customerId: id }).strict()),
  'coupon.used': def(1, 'A coupon was used on an order.', z.object({ customerId: id, couponId: id, orderId: id }).strict()),
  'coupon.revoked': def(1, 'A coupon was revoked; its points may have been restored.', z.object({ customerId: id, couponId: id, pointsRestored: points.nonnegative() }).strict()),
  'coupon.expired': def(1, 'A coupon expired unused.', z.object({ customerId: id, couponId: id }).strict()),
  'reward.redeemed': def(1, 'A reward was redeemed with points or given by staff, issuing a coupon.', z.object({ customerId: id, couponId: id, rewardId: id, points: points.nonnegative(), issuedVia: z.enum(['redemption', 'gift']) }).strict()),
  'referral.created': def(1, 'A friend signed up through a referral link; the referral is pending until their first order.', z.object({ referralId: id, referrerCustomerId: id, friendCustomerId: id, clickId: id.nullable() }).strict()),
  'referral.completed': def(1, 'A referred friend placed their first order; the referrer may have earned points.', z.object({ referralId: id, referrerCustomerId: id, friendCustomerId: id, orderId: id, points: points.nonnegative(), entryId: id.nullable() }).strict()),
} as const;

export type Catalog = typeof CATALOG;
export type EventType = keyof Catalog;
export type EventPayload<T extends EventType> = z.infer<Catalog[T]['payload']>;

export const EVENT_TYPES = Object.keys(CATALOG) as EventType[];

export function isEventType(value: string): value is EventType {
  return Object.prototype.hasOwnProperty.call(CATALOG, value);
}
