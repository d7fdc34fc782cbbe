import { randomBytes } from 'node:crypto';
import type { Api } from './browser.js';

/** Test data built through the public API, so every test owns what it touches. */
export interface CustomerRef {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
}

const FIRST = ['Ava', 'Liam', 'Maya', 'Noah', 'Zoe', 'Ethan', 'Iris', 'Omar', 'Lena', 'Theo', 'Nina', 'Hugo', 'Ruby', 'Felix'];
const LAST = ['Martin', 'Okafor', 'Silva', 'Nguyen', 'Rossi', 'Kowalski', 'Haddad', 'Larsen', 'Moreau', 'Tanaka', 'Fischer', 'Byrne'];

export function tag(): string {
  return randomBytes(3).toString('hex');
}

export async function createCustomer(
  api: Api,
  over: Partial<{ firstName: string; lastName: string; email: string; accountState: 'registered' | 'guest'; birthday: string; phone: string; emailVerified: boolean; externalId: string }> = {},
): Promise<CustomerRef> {
  const t = tag();
  const firstName = over.firstName ?? FIRST[parseInt(t.slice(0, 2), 16) % FIRST.length]!;
  const lastName = over.lastName ?? LAST[parseInt(t.slice(2, 4), 16) % LAST.length]!;
  const email = over.email ?? `${firstName}.${lastName}.${t}@example.com`.toLowerCase();
  const c = await api.send<{ id: string }>('POST', '/api/v1/customers', {
    externalId: over.externalId ?? `ext-${t}-${Date.now()}`,
    email,
    firstName,
    lastName,
    accountState: over.accountState ?? 'registered',
    emailVerified: over.emailVerified ?? true,
    ...(over.birthday ? { birthday: over.birthday } : {}),
    ...(over.phone ? { phone: over.phone } : {}),
  });
  return { id: c.id, email, firstName, lastName };
}

export async function placeOrder(api: Api, customerId: string, amount: string, currency = 'USD', number?: string): Promise<{ id: string; externalId: string }> {
  const externalId = number ?? `${1000 + Math.floor(Math.random() * 8999)}${tag()}`;
  return api.send('POST', '/api/v1/orders', { externalId, customerId, total: { amount, currency }, status: 'paid' });
}

export async function createReward(api: Api, over: Partial<{ name: string; pointsCost: number; amount: string }> = {}): Promise<{ id: string; name: string; pointsCost: number }> {
  return api.send('POST', '/api/v1/rewards', {
    name: over.name ?? `$${over.amount ?? '5'} off (${tag()})`,
    type: 'fixed_amount',
    pointsCost: over.pointsCost ?? 100,
    value: { amount: over.amount ?? '5.00', currency: 'USD' },
    active: true,
  });
}

export async function addPoints(api: Api, customerId: string, points: number, reason = 'Welcome bonus'): Promise<void> {
  await api.send('POST', `/api/v1/customers/${customerId}/points/adjustments`, { direction: 'add', points, reason, visibleToCustomer: true });
}
