import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from '../../src/modules/shopify/lossless-json.js';
import { isPrivateAddress, normalizeShopDomain, throttleWaitMs } from '../../src/modules/shopify/shopify.client.js';
import { mapCustomer, mapOrder, mapRefund, MappingError, type Obj } from '../../src/modules/shopify/shopify.mapping.js';
import { verifyQueryHmac } from '../../src/modules/shopify/shopify.install.js';
import { verifyWebhookHmac } from '../../src/modules/shopify/shopify.webhooks.js';
import { createHmac } from 'node:crypto';

const parse = (text: string) => parseLosslessJson(text) as Obj;
const money = (amount: string, currency = 'EUR') => ({ shop_money: { amount, currency_code: currency }, presentment_money: { amount: '1.00', currency_code: 'USD' } });

describe('Shopify mapping', () => {
  it('reads an order in shop money: eligible = subtotal after discounts, tax taken out when prices include it', () => {
    const order = {
      id: '820982911946154508',
      name: '#1001',
      currency: 'EUR',
      taxes_included: true,
      financial_status: 'partially_refunded',
      subtotal_price_set: money('121.00'),
      total_price_set: money('126.90'),
      line_items: [{ tax_lines: [{ price_set: money('21.00') }] }],
      discount_codes: [{ code: 'SPRING' }, { code: '' }],
      customer: { id: '9007199254740993' },
      created_at: '2026-03-01T10:00:00+01:00',
    };
    expect(mapOrder(order, 'orders/create')).toEqual({
      externalId: '820982911946154508',
      name: '#1001',
      customer: { id: '9007199254740993' },
      total: { amount: '126.90', currency: 'EUR' },
      eligibleAmount: { amount: '100.00', currency: 'EUR' },
      status: 'paid',
      discountCodes: ['SPRING'],
      placedAt: '2026-03-01T10:00:00+01:00',
    });
  });

  it('derives the status from the topic and the order state', () => {
    const base = { id: '1', currency: 'USD', total_price: '10.00', subtotal_price: '10.00', financial_status: 'pending' };
    expect(mapOrder(base, 'orders/create').status).toBe('pending');
    expect(mapOrder(base, 'orders/paid').status).toBe('paid');
    expect(mapOrder({ ...base, fulfillment_status: 'fulfilled' }, 'orders/create').status).toBe('fulfilled');
    expect(mapOrder(base, 'orders/fulfilled').status).toBe('fulfilled');
    expect(mapOrder({ ...base, cancelled_at: '2026-03-02T00:00:00Z' }, 'orders/paid').status).toBe('cancelled');
    expect(mapOrder(base, 'orders/cancelled').status).toBe('cancelled');
    // Plain amounts (no *_set) use the order's currency; the eligible amount never exceeds the total.
    expect(mapOrder({ ...base, subtotal_price: '12.00' }, 'orders/paid').eligibleAmount).toEqual({ amount: '10.00', currency: 'USD' });
    expect(() => mapOrder({ id: '1', currency: 'USD' }, 'orders/paid')).toThrow(MappingError);
    expect(() => mapOrder({ ...base, total_price: '10.001' }, 'orders/paid')).toThrow(/total_price/);
  });

  it('counts only refunded line items after discounts, before tax, and keeps ids exact', () => {
    const refund = parse(
      '{"id":9007199254740995,"order_id":9007199254740997,"refund_line_items":[' +
        '{"subtotal":195.66,"subtotal_set":{"shop_money":{"amount":"195.66","currency_code":"USD"}},"total_tax_set":{"shop_money":{"amount":"3.98","currency_code":"USD"}}},' +
        '{"subtotal_set":{"shop_money":{"amount":"4.34","currency_code":"USD"}}}],' +
        '"order_adjustments":[{"kind":"shipping_refund","amount":"-5.00"}],"transactions":[{"amount":"209.00"}]}',
    );
    // The transaction has no kind or status: the money is the refunded items with their tax.
    expect(mapRefund(refund)).toEqual({
      refundId: '9007199254740995',
      orderExternalId: '9007199254740997',
      eligibleRefunded: { amount: '200.00', currency: 'USD' },
      moneyRefunded: { amount: '203.98', currency: 'USD' },
    });
    expect(mapRefund(parse('{"id":5,"order_id":6,"refund_line_items":[],"order_adjustments":[{"kind":"shipping_refund"}]}')).eligibleRefunded).toBeNull();
  });

  it('reads the money returned from successful refund transactions in the shop currency', () => {
    const body = (transactions: string) =>
      parse(
        '{"id":7,"order_id":8,"refund_line_items":[{"subtotal_set":{"shop_money":{"amount":"40.00","currency_code":"USD"}},"total_tax_set":{"shop_money":{"amount":"4.00","currency_code":"USD"}}}],' +
          `"transactions":${transactions}}`,
      );
    const ok = body('[{"kind":"refund","status":"success","amount":"39.00","currency":"USD"},{"kind":"refund","status":"success","amount":"10.00","currency":"USD"},{"kind":"refund","status":"failure","amount":"99.00","currency":"USD"}]');
    expect(mapRefund(ok)).toMatchObject({ eligibleRefunded: { amount: '40.00' }, moneyRefunded: { amount: '49.00', currency: 'USD' } });
    // Paid back in another (presentment) currency: the items with their tax, in shop money.
    expect(mapRefund(body('[{"kind":"refund","status":"success","amount":"37.00","currency":"EUR"}]')).moneyRefunded).toEqual({ amount: '44.00', currency: 'USD' });
  });

  it('maps a customer: registered only when enabled; absent fields stay untouched', () => {
    expect(mapCustomer(parse('{"id":9007199254740993,"email":"A@B.example","state":"enabled","verified_email":true,"first_name":null}'))).toEqual({
      externalId: '9007199254740993',
      email: 'a@b.example',
      firstName: null,
      accountState: 'registered',
      emailVerified: true,
    });
    for (const state of ['disabled', 'invited', 'declined']) expect(mapCustomer({ id: '1', state }).accountState).toBe('guest');
    expect(mapCustomer({ id: '1' })).toEqual({ externalId: '1' });
    expect(() => mapCustomer({ id: 1.5 })).toThrow(MappingError);
  });
});

describe('Shopify signatures and calls', () => {
  it('checks the webhook HMAC over the exact bytes', () => {
    const body = Buffer.from('{"id":1}');
    const sig = createHmac('sha256', 'secret').update(body).digest('base64');
    expect(verifyWebhookHmac(body, sig, 'secret')).toBe(true);
    expect(verifyWebhookHmac(Buffer.from('{"id": 1}'), sig, 'secret')).toBe(false);
    expect(verifyWebhookHmac(body, sig, 'other')).toBe(false);
    expect(verifyWebhookHmac(body, undefined, 'secret')).toBe(false);
    expect(verifyWebhookHmac(body, sig.slice(0, -4), 'secret')).toBe(false);
  });

  it("checks an OAuth callback's query hmac over the sorted parameters", () => {
    const query = { code: '0907a61c0c8d55e99db179b68161bc00', shop: 'some-shop.myshopify.com', state: '0.6784241404160823', timestamp: '1337178173' };
    const message = 'code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173';
    const hmac = createHmac('sha256', 'hush').update(message).digest('hex');
    expect(verifyQueryHmac({ ...query, hmac }, 'hush')).toBe(true);
    expect(verifyQueryHmac({ ...query, hmac, signature: 'ignored' }, 'hush')).toBe(true);
    expect(verifyQueryHmac({ ...query, shop: 'evil.myshopify.com', hmac }, 'hush')).toBe(false);
    expect(verifyQueryHmac({ ...query, hmac: 'zz' }, 'hush')).toBe(false);
    expect(verifyQueryHmac(query, 'hush')).toBe(false);
  });

  it('accepts only permanent shop domains and refuses private addresses', () => {
    expect(normalizeShopDomain(' My-Store.myshopify.com ')).toBe('my-store.myshopify.com');
    for (const bad of ['my-store.com', 'evil.com/x.myshopify.com', 'a.myshopify.com.evil.com', '-x.myshopify.com', '']) expect(normalizeShopDomain(bad)).toBeNull();
    for (const addr of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '0.0.0.0']) {
      expect(isPrivateAddress(addr), addr).toBe(true);
    }
    for (const addr of ['23.227.38.65', '2620:127:f00f::1']) expect(isPrivateAddress(addr), addr).toBe(false);
  });

  it('waits for the cost bucket to refill before retrying a throttled call', () => {
    const ext = { cost: { requestedQueryCost: 101, throttleStatus: { maximumAvailable: 1000, currentlyAvailable: 1, restoreRate: 50 } } };
    expect(throttleWaitMs(ext, 1)).toBe(2000);
    expect(throttleWaitMs({}, 3)).toBe(4000);
  });
});
