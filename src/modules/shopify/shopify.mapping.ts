import { formatMoney, isCurrency, MoneyFormatError, parseMoney } from '../../core/money.js';
import type { JsonValue } from './lossless-json.js';

/**
 * Pure mapping from Shopify webhook bodies (parsed losslessly: ids are decimal strings) to
 * what Patron's services take. Money is read in shop money (`*_set.shop_money`), the
 * currency the store keeps its books in, as exact decimal strings.
 */

export type Obj = { [key: string]: JsonValue };

export const objectOf = (v: JsonValue | undefined): Obj => (v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {});
const arrayOf = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const text = (v: JsonValue | undefined): string | null => (typeof v === 'string' && v.trim() !== '' ? v.trim() : null);

/** An id as an exact decimal string (the parser already made id fields strings). */
export function idOf(v: JsonValue | undefined): string | null {
  if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return String(v);
  return null;
}

export class MappingError extends Error {}

export type CustomerAccounts = 'classic' | 'new' | null;

export interface MappedCustomer {
  externalId: string;
  email?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  accountState?: 'registered' | 'guest';
  emailVerified?: boolean;
}

/**
 * A Shopify customer. The account counts as registered when its state is `enabled`: with
 * classic accounts that is an activated account; with new customer accounts Shopify
 * enables a customer when they first sign in, so it means they have signed in. Invited,
 * declined and disabled accounts are guests. Membership then follows the program's mode.
 */
export function mapCustomer(c: Obj): MappedCustomer {
  const externalId = idOf(c.id);
  if (!externalId) throw new MappingError('customer.id is missing or not an id');
  const out: MappedCustomer = { externalId };
  if ('state' in c) out.accountState = text(c.state)?.toLowerCase() === 'enabled' ? 'registered' : 'guest';
  if ('verified_email' in c) out.emailVerified = c.verified_email === true;
  if ('email' in c) out.email = text(c.email)?.toLowerCase() ?? null;
  if ('first_name' in c) out.firstName = text(c.first_name);
  if ('last_name' in c) out.lastName = text(c.last_name);
  if ('phone' in c) out.phone = text(c.phone);
  return out;
}

/** The store's own account fields, kept for the customer's Shopify card (only those present in the body). */
export interface MappedShopifyAccount {
  accountState?: string | null;
  verifiedEmail?: boolean | null;
  emailMarketingState?: string | null;
  emailMarketingOptInLevel?: string | null;
  emailMarketingUpdatedAt?: Date | null;
  smsMarketingState?: string | null;
  tags?: string[];
}

const dateOf = (v: JsonValue | undefined): Date | null => {
  const t = text(v);
  return t && !Number.isNaN(Date.parse(t)) ? new Date(t) : null;
};

export function mapShopifyAccount(c: Obj): MappedShopifyAccount {
  const out: MappedShopifyAccount = {};
  if ('state' in c) out.accountState = text(c.state)?.toLowerCase().slice(0, 40) ?? null;
  if ('verified_email' in c) out.verifiedEmail = typeof c.verified_email === 'boolean' ? c.verified_email : null;
  if ('email_marketing_consent' in c) {
    const consent = objectOf(c.email_marketing_consent);
    out.emailMarketingState = text(consent.state)?.toLowerCase().slice(0, 40) ?? null;
    out.emailMarketingOptInLevel = text(consent.opt_in_level)?.toLowerCase().slice(0, 40) ?? null;
    out.emailMarketingUpdatedAt = dateOf(consent.consent_updated_at);
  }
  if ('sms_marketing_consent' in c) out.smsMarketingState = text(objectOf(c.sms_marketing_consent).state)?.toLowerCase().slice(0, 40) ?? null;
  if ('tags' in c) {
    const raw = Array.isArray(c.tags) ? c.tags.map((t) => text(t)) : (text(c.tags) ?? '').split(',').map((t) => text(t));
    out.tags = [...new Set(raw.filter((t): t is string => t !== null).map((t) => t.slice(0, 255)))].slice(0, 250);
  }
  return out;
}

/** `{ shop_money: { amount, currency_code } }` of a `*_set` field, else the plain amount with the order's currency. */
function shopMoney(o: Obj, field: string, fallbackCurrency: string | null): { amount: string; currency: string } | null {
  const set = objectOf(objectOf(o[`${field}_set`]).shop_money);
  const amount = text(set.amount) ?? (typeof o[field] === 'string' ? text(o[field]) : null);
  const currency = text(set.currency_code) ?? fallbackCurrency;
  if (amount === null || currency === null) return null;
  return { amount, currency };
}

function minor(field: string, m: { amount: string; currency: string }): bigint {
  if (!isCurrency(m.currency)) throw new MappingError(`${field}: ${JSON.stringify(m.currency)} is not an ISO 4217 currency`);
  try {
    return parseMoney(m.amount, m.currency);
  } catch (err) {
    if (err instanceof MoneyFormatError) throw new MappingError(`${field}: ${err.reason}`);
    throw err;
  }
}

export type OrderStatus = 'pending' | 'paid' | 'fulfilled' | 'cancelled';

export interface MappedOrder {
  externalId: string;
  name: string | null;
  customer: Obj | null;
  total: { amount: string; currency: string };
  eligibleAmount: { amount: string; currency: string };
  status: OrderStatus;
  discountCodes: string[];
  placedAt: string | undefined;
}

const PAID = new Set(['paid', 'partially_refunded', 'refunded']);

/**
 * A Shopify order. Eligible amount = the subtotal after discounts (`subtotal_price_set`),
 * which excludes shipping, duties, tips and (unless prices include tax) tax; when prices
 * include tax, the line items' tax is taken out too. Status: cancelled when `cancelled_at`
 * is set or the topic is orders/cancelled; fulfilled when fully fulfilled; paid when the
 * financial status is paid (or later refunded); pending otherwise.
 */
export function mapOrder(o: Obj, topic: string): MappedOrder {
  const externalId = idOf(o.id);
  if (!externalId) throw new MappingError('order.id is missing or not an id');
  const currency = text(o.currency);
  const total = shopMoney(o, 'total_price', currency);
  if (!total) throw new MappingError('order.total_price_set.shop_money is missing');
  const subtotal = shopMoney(o, 'subtotal_price', currency) ?? total;
  let eligible = minor('subtotal_price', subtotal);
  if (o.taxes_included === true) {
    for (const line of arrayOf(o.line_items)) {
      for (const tax of arrayOf(objectOf(line).tax_lines)) {
        const t = shopMoney(objectOf(tax), 'price', subtotal.currency);
        if (t) eligible -= minor('line_items.tax_lines.price', t);
      }
    }
  }
  const totalMinor = minor('total_price', total);
  if (eligible < 0n) eligible = 0n;
  if (eligible > totalMinor) eligible = totalMinor;
  const financial = text(o.financial_status)?.toLowerCase() ?? '';
  const fulfillment = text(o.fulfillment_status)?.toLowerCase() ?? '';
  let status: OrderStatus = 'pending';
  if (topic === 'orders/cancelled' || text(o.cancelled_at)) status = 'cancelled';
  else if (topic === 'orders/fulfilled' || fulfillment === 'fulfilled') status = 'fulfilled';
  else if (topic === 'orders/paid' || PAID.has(financial)) status = 'paid';
  const customer = o.customer !== null && typeof o.customer === 'object' && !Array.isArray(o.customer) ? o.customer : null;
  return {
    externalId,
    name: text(o.name),
    customer,
    total: { amount: formatMoney(totalMinor, total.currency), currency: total.currency },
    eligibleAmount: { amount: formatMoney(eligible, subtotal.currency), currency: subtotal.currency },
    status,
    discountCodes: arrayOf(o.discount_codes)
      .map((d) => text(objectOf(d).code))
      .filter((c): c is string => c !== null)
      .slice(0, 50),
    placedAt: text(o.processed_at) ?? text(o.created_at) ?? undefined,
  };
}

export interface MappedRefund {
  refundId: string;
  orderExternalId: string;
  /** The refunded line items after their discounts, before tax, in shop money; null when no line item was refunded. */
  eligibleRefunded: { amount: string; currency: string } | null;
  /**
   * The money returned: the successful refund transactions when they are in the shop's
   * currency, else the refunded line items with their tax; null when neither is known.
   */
  moneyRefunded: { amount: string; currency: string } | null;
}

/** A Shopify refund: what counts is the refunded line items' subtotals (not shipping, tax or adjustments). */
export function mapRefund(r: Obj): MappedRefund {
  const refundId = idOf(r.id);
  const orderExternalId = idOf(r.order_id);
  if (!refundId) throw new MappingError('refund.id is missing or not an id');
  if (!orderExternalId) throw new MappingError('refund.order_id is missing or not an id');
  let sum = 0n;
  let tax = 0n;
  let currency: string | null = null;
  for (const item of arrayOf(r.refund_line_items).map(objectOf)) {
    const m = shopMoney(item, 'subtotal', currency);
    if (!m) continue;
    if (currency !== null && m.currency !== currency) throw new MappingError('refund_line_items are in more than one shop currency');
    currency = m.currency;
    sum += minor('refund_line_items.subtotal', m);
    const t = shopMoney(item, 'total_tax', currency);
    if (t && t.currency === currency) tax += minor('refund_line_items.total_tax', t);
  }
  let paid = 0n;
  let paidCurrency: string | null = null;
  let mixed = false;
  for (const t of arrayOf(r.transactions).map(objectOf)) {
    if (text(t.kind)?.toLowerCase() !== 'refund' || text(t.status)?.toLowerCase() !== 'success') continue;
    const m = shopMoney(t, 'amount', text(t.currency));
    if (!m || !isCurrency(m.currency)) continue;
    if (paidCurrency !== null && m.currency !== paidCurrency) mixed = true;
    paidCurrency = m.currency;
    paid += minor('transactions.amount', m);
  }
  let moneyRefunded: MappedRefund['moneyRefunded'] = null;
  if (paidCurrency && !mixed && paid > 0n && (currency === null || paidCurrency === currency)) moneyRefunded = { amount: formatMoney(paid, paidCurrency), currency: paidCurrency };
  else if (currency && sum + tax > 0n) moneyRefunded = { amount: formatMoney(sum + tax, currency), currency };
  return { refundId, orderExternalId, eligibleRefunded: currency && sum > 0n ? { amount: formatMoney(sum, currency), currency } : null, moneyRefunded };
}
