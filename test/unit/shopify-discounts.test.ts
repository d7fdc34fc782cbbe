import { describe, expect, it } from 'vitest';
import { customerNodeToBody, orderNodeToBody } from '../../src/modules/shopify/shopify.backfill.js';
import { shopifyAdminCustomerUrl } from '../../src/modules/shopify/shopify.customers.js';
import { discountInput, percentFraction } from '../../src/modules/shopify/shopify.discounts.js';
import { mapOrder } from '../../src/modules/shopify/shopify.mapping.js';
import type { CouponRow } from '../../src/modules/rewards/index.js';

const coupon = (over: Partial<CouponRow>): CouponRow =>
  ({
    org_id: 'o',
    id: 'c',
    customer_id: 'u',
    reward_id: 'r',
    code: 'GOLD-7KXM-Q4HT',
    code_key: 'GOLD7KXMQ4HT',
    reward_name: '5 USD off',
    reward_type: 'fixed_amount',
    value_minor: 500,
    value_percent: null,
    currency: 'USD',
    min_order_minor: null,
    product_ref: null,
    points_cost: 100,
    issued_via: 'redemption',
    status: 'active',
    expires_at: new Date('2026-04-09T12:00:00Z'),
    created_at: new Date('2026-03-10T12:00:00Z'),
    ...over,
  }) as CouponRow;

describe('Shopify discount codes', () => {
  it('takes percentages as a fraction of one', () => {
    expect(percentFraction('12.50')).toBe(0.125);
    expect(percentFraction('100.00')).toBe(1);
    expect(percentFraction('5')).toBe(0.05);
    expect(percentFraction('0.01')).toBe(0.0001);
  });

  it('builds a basic code discount for one customer, usable once, ending with the coupon', () => {
    const spec = discountInput(coupon({ min_order_minor: 2000 }), 'gid://shopify/Customer/9007199254740993', new Date('2026-03-10T12:00:00Z'));
    expect(spec.field).toBe('discountCodeBasicCreate');
    expect(spec.input).toMatchObject({
      code: 'GOLD-7KXM-Q4HT',
      startsAt: '2026-03-10T12:00:00.000Z',
      endsAt: '2026-04-09T12:00:00.000Z',
      context: { customers: { add: ['gid://shopify/Customer/9007199254740993'] } },
      usageLimit: 1,
      customerGets: { value: { discountAmount: { amount: '5.00', appliesOnEachItem: false } }, items: { all: true } },
      minimumRequirement: { subtotal: { greaterThanOrEqualToSubtotal: '20.00' } },
    });
    expect(discountInput(coupon({ expires_at: null }), 'gid', new Date()).input.endsAt).toBeNull();
  });

  it('builds a free-shipping code discount for free-shipping rewards', () => {
    const spec = discountInput(coupon({ reward_type: 'free_shipping', value_minor: null }), 'gid://shopify/Customer/1', new Date('2026-03-10T12:00:00Z'));
    expect(spec.field).toBe('discountCodeFreeShippingCreate');
    expect(spec.input).toMatchObject({ destination: { all: true }, usageLimit: 1 });
    expect(spec.input).not.toHaveProperty('customerGets');
  });

  it("links to the customer in the store's admin", () => {
    expect(shopifyAdminCustomerUrl('my-store.myshopify.com', '9007199254740993')).toBe('https://admin.shopify.com/store/my-store/customers/9007199254740993');
  });

  it('maps backfilled GraphQL orders and customers through the webhook mapping (current amounts, exact ids)', () => {
    const body = orderNodeToBody({
      id: 'gid://shopify/Order/9007199254740999',
      legacyResourceId: '9007199254740999',
      name: '#1001',
      createdAt: '2025-11-01T10:00:00Z',
      processedAt: '2025-11-01T10:00:00Z',
      cancelledAt: null,
      currencyCode: 'EUR',
      taxesIncluded: true,
      displayFinancialStatus: 'PARTIALLY_REFUNDED',
      displayFulfillmentStatus: 'UNFULFILLED',
      discountCodes: ['GOLD-7KXM'],
      currentSubtotalPriceSet: { shopMoney: { amount: '119.00', currencyCode: 'EUR' } },
      currentTotalPriceSet: { shopMoney: { amount: '124.00', currencyCode: 'EUR' } },
      currentTotalTaxSet: { shopMoney: { amount: '19.00', currencyCode: 'EUR' } },
      customer: { id: 'gid://shopify/Customer/9007199254740993', legacyResourceId: '9007199254740993', state: 'ENABLED', verifiedEmail: true, tags: [], defaultEmailAddress: { emailAddress: 'a@example.com', marketingState: 'SUBSCRIBED' } },
    });
    const order = mapOrder(body, 'orders/backfill');
    expect(order).toMatchObject({ externalId: '9007199254740999', name: '#1001', status: 'paid', discountCodes: ['GOLD-7KXM'], eligibleAmount: { amount: '100.00', currency: 'EUR' } });
    expect(customerNodeToBody({ legacyResourceId: '5', state: 'DISABLED', defaultEmailAddress: { emailAddress: 'b@example.com', marketingState: 'UNSUBSCRIBED' } })).toMatchObject({
      id: '5',
      email: 'b@example.com',
      state: 'disabled',
      email_marketing_consent: { state: 'unsubscribed' },
    });
  });
});
