import type { Client } from './harness.js';
import { unique } from './harness.js';

export async function createCustomer(c: Client, body: Record<string, unknown> = {}): Promise<{ id: string; externalId: string; email: string }> {
  const externalId = (body.externalId as string | undefined) ?? unique('cust');
  const res = await c.post('/api/v1/customers', {
    externalId,
    email: `${externalId}@example.com`,
    firstName: 'Test',
    lastName: 'Customer',
    accountState: 'registered',
    ...body,
  });
  if (res.statusCode !== 201) throw new Error(`createCustomer: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function adjust(c: Client, customerId: string, direction: 'add' | 'deduct', points: number, extra: Record<string, unknown> = {}) {
  return c.post(`/api/v1/customers/${customerId}/points/adjustments`, { direction, points, reason: 'test adjustment', ...extra });
}

export async function order(c: Client, customerId: string, amount: string, extra: Record<string, unknown> = {}) {
  return c.post('/api/v1/orders', { externalId: unique('order'), customerId, total: { amount, currency: 'USD' }, ...extra });
}

export async function balances(c: Client, customerId: string) {
  const res = await c.get(`/api/v1/customers/${customerId}`);
  if (res.statusCode !== 200) throw new Error(`profile: ${res.statusCode} ${res.body}`);
  return res.json().balances as { active: number; pending: number; earned: number; redeemed: number; adjusted: number; expired: number; reversed: number };
}
