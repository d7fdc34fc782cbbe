import type { AppContext } from '../../context.js';
import { formatMoney } from '../../core/money.js';
import { AppError } from '../../errors.js';
import type { OutboxConsumer, StoredEvent } from '../../events/types.js';
import { findCoupon, getCoupon, setCouponStoreState, type CouponRow } from '../rewards/index.js';
import { shopifyGraphql, ShopifyCallError, type GraphqlOptions } from './shopify.client.js';
import { credentialSealer, targetOf } from './shopify.connection.js';
import type { JsonValue } from './lossless-json.js';
import * as repo from './shopify.repo.js';

/**
 * Rewards as real discount codes. When a coupon is issued (a redemption or a gift), its
 * code is created in the connected store through the Admin GraphQL API — a basic code
 * discount for fixed amounts and percentages, a free-shipping code discount for free
 * shipping — restricted to that customer, usable once, ending when the coupon expires.
 * Revoking the coupon deactivates the code. Each coupon keeps its store state: pending,
 * live, failed (with Shopify's reason) or deactivated.
 */

export const DISCOUNT_CONSUMER = 'shopify.discount-codes';
/** Attempts for a code the store could not be reached for, before it shows as failed. */
const MAX_ATTEMPTS = 8;

type Obj = { [key: string]: JsonValue };
const obj = (v: JsonValue | undefined): Obj => (v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {});
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);

const BASIC_CREATE = `mutation PatronRewardCode($basicCodeDiscount: DiscountCodeBasicInput!) {
  discountCodeBasicCreate(basicCodeDiscount: $basicCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

const FREE_SHIPPING_CREATE = `mutation PatronRewardFreeShipping($freeShippingCodeDiscount: DiscountCodeFreeShippingInput!) {
  discountCodeFreeShippingCreate(freeShippingCodeDiscount: $freeShippingCodeDiscount) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

const DEACTIVATE = `mutation PatronRewardDeactivate($id: ID!) {
  discountCodeDeactivate(id: $id) {
    codeDiscountNode { id }
    userErrors { field code message }
  }
}`;

const BY_CODE = `query PatronRewardByCode($code: String!) {
  codeDiscountNodeByCode(code: $code) { id }
}`;

/** Reward types a store discount code can express. */
const STORE_TYPES = new Set(['fixed_amount', 'percentage', 'free_shipping']);

/** Why the store cannot act now; null when it can (with the token). */
async function storeAccess(ctx: AppContext, orgId: string): Promise<{ token: string; connection: repo.ConnectionRow } | { unavailable: string; connected: boolean }> {
  const connection = await repo.findConnection(ctx.db, orgId);
  if (!connection) return { unavailable: 'No Shopify store is connected', connected: false };
  if (connection.status !== 'connected' || !connection.access_token_sealed) {
    return { unavailable: connection.status_reason ?? `The Shopify connection is ${connection.status}; connect the store again`, connected: true };
  }
  if (!ctx.config.encryptionKey) return { unavailable: 'PATRON_ENCRYPTION_KEY is not set, so the access token cannot be read', connected: true };
  try {
    return { token: credentialSealer(ctx).open(connection.access_token_sealed), connection };
  } catch {
    return { unavailable: 'The access token was sealed under another PATRON_ENCRYPTION_KEY; connect the store again', connected: true };
  }
}

/** The customer's Shopify GID: from their Shopify card, else their platform id when it is a Shopify id. */
async function customerGid(ctx: AppContext, coupon: CouponRow): Promise<string | null> {
  const card = await repo.findShopifyCustomer(ctx.db, coupon.org_id, coupon.customer_id);
  if (card) return `gid://shopify/Customer/${card.shopify_id}`;
  const c = await repo.customerBasics(ctx.db, coupon.org_id, coupon.customer_id);
  return c?.external_id && /^\d{1,20}$/.test(c.external_id) ? `gid://shopify/Customer/${c.external_id}` : null;
}

/** `0.125` for "12.50": Shopify takes the percentage as a fraction between 0 and 1. */
export function percentFraction(percent: string): number {
  const [whole = '0', frac = ''] = percent.split('.');
  const hundredths = Number(whole) * 100 + Number((frac + '00').slice(0, 2));
  return hundredths / 10000;
}

/** The DiscountCodeBasicInput / DiscountCodeFreeShippingInput for a coupon. */
export function discountInput(coupon: CouponRow, customer: string, startsAt: Date): { mutation: string; variable: string; field: string; input: Record<string, unknown> } {
  const cur = coupon.currency.trim();
  const common: Record<string, unknown> = {
    title: `${coupon.reward_name} (${coupon.code})`.slice(0, 255),
    code: coupon.code,
    startsAt: startsAt.toISOString(),
    endsAt: coupon.expires_at ? coupon.expires_at.toISOString() : null,
    context: { customers: { add: [customer] } },
    usageLimit: 1,
    appliesOncePerCustomer: true,
    ...(coupon.min_order_minor !== null ? { minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: formatMoney(BigInt(coupon.min_order_minor), cur) } } } : {}),
  };
  if (coupon.reward_type === 'free_shipping') {
    return {
      mutation: FREE_SHIPPING_CREATE,
      variable: 'freeShippingCodeDiscount',
      field: 'discountCodeFreeShippingCreate',
      input: { ...common, destination: { all: true }, combinesWith: { productDiscounts: true, orderDiscounts: true, shippingDiscounts: false } },
    };
  }
  const value =
    coupon.reward_type === 'percentage' && coupon.value_percent !== null
      ? { percentage: percentFraction(coupon.value_percent) }
      : { discountAmount: { amount: formatMoney(BigInt(coupon.value_minor ?? 0), cur), appliesOnEachItem: false } };
  return {
    mutation: BASIC_CREATE,
    variable: 'basicCodeDiscount',
    field: 'discountCodeBasicCreate',
    input: { ...common, customerGets: { value, items: { all: true } }, combinesWith: { productDiscounts: false, orderDiscounts: false, shippingDiscounts: true } },
  };
}

function userErrorsOf(payload: Obj): string | null {
  const errors = list(payload.userErrors).map(obj);
  if (errors.length === 0) return null;
  return errors
    .map((e) => {
      const field = list(e.field).filter((f) => typeof f === 'string').join('.');
      return `${field ? `${field}: ` : ''}${typeof e.message === 'string' ? e.message : 'refused'}${typeof e.code === 'string' ? ` (${e.code})` : ''}`;
    })
    .join('; ')
    .slice(0, 1000);
}

export type SyncOutcome = { state: 'pending' | 'live' | 'failed' | 'deactivated' | null; error: string | null };

/** Tests pass a fast sleep; production waits as the throttle status says. */
export const graphqlOptions: GraphqlOptions = {};

/**
 * Creates the coupon's code in the store (or finds it there, when an earlier attempt
 * created it but its answer was lost). Throws when the store could not be reached and
 * the attempt should be repeated later; a refusal (userErrors) is final and recorded.
 */
export async function pushCoupon(ctx: AppContext, orgId: string, couponId: string): Promise<SyncOutcome> {
  const coupon = await findCoupon(ctx.db, orgId, couponId);
  if (!coupon) return { state: null, error: null };
  if (coupon.store_state === 'live' || coupon.store_state === 'deactivated') return { state: coupon.store_state, error: null };
  const now = ctx.clock.now();
  const record = async (state: SyncOutcome['state'], error: string | null, extra: { ref?: string | null; attempt?: boolean } = {}) => {
    await setCouponStoreState(ctx.db, orgId, couponId, {
      store_state: state,
      store_error: error,
      ...(extra.ref !== undefined ? { store_ref: extra.ref } : {}),
      ...(extra.attempt ? { store_attempts: coupon.store_attempts + 1 } : {}),
      store_updated_at: ctx.clock.now(),
    });
    return { state, error };
  };
  const access = await storeAccess(ctx, orgId);
  if ('unavailable' in access) return access.connected ? record('failed', access.unavailable) : { state: null, error: null };
  if (coupon.status !== 'active') return record('failed', `The coupon is ${coupon.status}; no code was created in the store`);
  if (!STORE_TYPES.has(coupon.reward_type)) return record('failed', `A ${coupon.reward_type.replace('_', ' ')} reward has no Shopify discount code; the store applies it another way`);
  const gid = await customerGid(ctx, coupon);
  if (!gid) return record('failed', 'The customer has no Shopify customer id, so the code cannot be restricted to them; sync the customer from the store first');
  await record('pending', coupon.store_error, { attempt: true });
  const target = targetOf(access.connection);
  const spec = discountInput(coupon, gid, coupon.created_at < now ? coupon.created_at : now);
  let data;
  try {
    data = await shopifyGraphql(target, access.token, spec.mutation, { [spec.variable]: spec.input }, graphqlOptions);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const retryable = err instanceof ShopifyCallError ? err.retryable : true;
    if (!retryable || coupon.store_attempts + 1 >= MAX_ATTEMPTS) return record('failed', message);
    await record('pending', `Attempt ${coupon.store_attempts + 1} failed, retrying: ${message}`);
    throw err;
  }
  const payload = obj(data[spec.field]);
  const refused = userErrorsOf(payload);
  if (refused) {
    // The code may exist already: an earlier attempt created it and its answer was lost.
    if (/taken|already|unique/i.test(refused)) {
      const existing = obj(obj((await shopifyGraphql(target, access.token, BY_CODE, { code: coupon.code }, graphqlOptions)).codeDiscountNodeByCode)).id;
      if (typeof existing === 'string') return record('live', null, { ref: existing });
    }
    return record('failed', refused);
  }
  const id = obj(payload.codeDiscountNode).id;
  if (typeof id !== 'string') return record('failed', 'Shopify answered without the discount id');
  const live = await record('live', null, { ref: id });
  // Revoked while the code was being created: switch it off at once.
  const after = await findCoupon(ctx.db, orgId, couponId);
  if (after && after.status === 'revoked') return deactivateCoupon(ctx, orgId, couponId);
  return live;
}

/** Deactivates the coupon's code in the store (kept there, with its history). */
export async function deactivateCoupon(ctx: AppContext, orgId: string, couponId: string): Promise<SyncOutcome> {
  const coupon = await findCoupon(ctx.db, orgId, couponId);
  if (!coupon || coupon.store_state === null || coupon.store_state === 'deactivated') return { state: coupon?.store_state ?? null, error: null };
  const record = async (state: SyncOutcome['state'], error: string | null) => {
    await setCouponStoreState(ctx.db, orgId, couponId, { store_state: state, store_error: error, store_updated_at: ctx.clock.now() });
    return { state, error };
  };
  if (!coupon.store_ref) {
    // Never created in the store: nothing to switch off (a creation in flight checks the coupon after it).
    if (coupon.store_state === 'pending') throw new Error('The code is still being created in the store; deactivating it after');
    return record('deactivated', null);
  }
  const access = await storeAccess(ctx, orgId);
  if ('unavailable' in access) return record('failed', `Revoked in Patron, but the code could not be deactivated in the store: ${access.unavailable}`);
  let data;
  try {
    data = await shopifyGraphql(targetOf(access.connection), access.token, DEACTIVATE, { id: coupon.store_ref }, graphqlOptions);
  } catch (err) {
    if (err instanceof ShopifyCallError && !err.retryable) return record('failed', `Revoked in Patron, but deactivating the code failed: ${err.message}`);
    throw err;
  }
  const refused = userErrorsOf(obj(data.discountCodeDeactivate));
  if (refused) return record('failed', `Revoked in Patron, but Shopify refused to deactivate the code: ${refused}`);
  return record('deactivated', null);
}

/** Staff's retry from the coupon history: creates a failed code again, or repeats a failed deactivation. */
export async function retryCouponSync(ctx: AppContext, orgId: string, couponId: string) {
  const coupon = await findCoupon(ctx.db, orgId, couponId);
  if (!coupon) throw AppError.notFound('Coupon', couponId);
  if (coupon.store_state !== 'failed' && coupon.store_state !== 'pending') {
    throw new AppError('CONFLICT', coupon.store_state === null ? 'This coupon has no code in a connected store' : `The code is ${coupon.store_state}; there is nothing to retry`, { couponId });
  }
  const access = await storeAccess(ctx, orgId);
  if ('unavailable' in access) throw new AppError('RULE_REFUSED', access.unavailable, { couponId });
  await setCouponStoreState(ctx.db, orgId, couponId, { store_attempts: 0 });
  try {
    if (coupon.status === 'revoked' && coupon.store_ref) await deactivateCoupon(ctx, orgId, couponId);
    else await pushCoupon(ctx, orgId, couponId);
  } catch {
    // Recorded on the coupon as pending with the reason; staff can retry again.
  }
  return getCoupon(ctx, orgId, couponId);
}

/** After commit: issued coupons get their code in the store, revoked ones are deactivated. */
export const discountCodesConsumer: OutboxConsumer = {
  name: DISCOUNT_CONSUMER,
  events: ['reward.redeemed', 'coupon.revoked'],
  maxAttempts: MAX_ATTEMPTS + 2,
  backoffMs: (failures) => Math.min(30 * 60_000, 5000 * 2 ** Math.max(0, failures - 1)),
  activeOrgs: (ctx, orgIds) => repo.orgsWithConnection(ctx.db, orgIds),
  async deliver(event: StoredEvent, ctx: AppContext) {
    const couponId = (event.payload as { couponId?: unknown }).couponId;
    if (typeof couponId !== 'string') return;
    if (event.type === 'reward.redeemed') await pushCoupon(ctx, event.orgId, couponId);
    else await deactivateCoupon(ctx, event.orgId, couponId);
  },
};
