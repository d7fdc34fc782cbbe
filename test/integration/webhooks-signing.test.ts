import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS, retryDelayMs } from '../../src/modules/webhooks/webhooks.delivery.js';
import { newSecret, signature, signedHeaders } from '../../src/modules/webhooks/webhooks.signing.js';

describe('webhook signing and schedule', () => {
  it('signs exactly as the Standard Webhooks library does, one signature per secret', () => {
    const secret = newSecret();
    const body = '{"type":"points.adjusted","timestamp":"2026-03-10T12:00:00.000Z","data":{"customerId":"c-1","points":5}}';
    const ts = 1773144000;
    expect(signature(secret, 'msg-1', ts, body)).toBe(new Webhook(secret).sign('msg-1', new Date(ts * 1000), body));
    const old = newSecret();
    const headers = signedHeaders([secret, old], 'msg-1', ts, body);
    expect(headers['webhook-signature']!.split(' ')).toEqual([signature(secret, 'msg-1', ts, body), signature(old, 'msg-1', ts, body)]);
    expect(headers).toMatchObject({ 'webhook-id': 'msg-1', 'webhook-timestamp': String(ts) });
    // A changed byte of the body no longer verifies.
    expect(signature(secret, 'msg-1', ts, body.replace('5', '6'))).not.toBe(signature(secret, 'msg-1', ts, body));
  });

  it('retries seven times over about a day, each wait within ±20% of the schedule', () => {
    const total = RETRY_DELAYS_MS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(22 * 3600_000);
    expect(total).toBeLessThan(26 * 3600_000);
    RETRY_DELAYS_MS.forEach((base, i) => {
      expect(retryDelayMs(i + 1, () => 0)).toBe(Math.round(base * 0.8));
      expect(retryDelayMs(i + 1, () => 0.999999)).toBeLessThanOrEqual(Math.round(base * 1.2));
    });
    expect(retryDelayMs(RETRY_DELAYS_MS.length + 1)).toBeNull();
  });
});
