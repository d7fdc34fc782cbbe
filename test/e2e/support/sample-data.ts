import type { Api } from './browser.js';
import { addPoints, createCustomer, createReward, placeOrder, type CustomerRef } from './fixtures.js';

const PEOPLE: [string, string, 'registered' | 'guest', string | null][] = [
  ['Olivia', 'Bennett', 'registered', '1990-04-12'],
  ['Marcus', 'Okafor', 'registered', '1985-11-03'],
  ['Sofia', 'Alvarez', 'registered', '1993-07-21'],
  ['Kenji', 'Tanaka', 'guest', null],
  ['Amara', 'Nwosu', 'registered', '1988-02-08'],
  ['Lucas', 'Moreau', 'registered', null],
  ['Hannah', 'Fischer', 'guest', '1996-09-30'],
  ['Diego', 'Rossi', 'registered', '1979-12-15'],
  ['Priya', 'Raman', 'registered', '1991-05-05'],
  ['Tom', 'Larsen', 'guest', null],
  ['Elena', 'Kowalski', 'registered', '1987-03-17'],
  ['Samir', 'Haddad', 'registered', '1994-10-26'],
];

/** A small, realistic store: customers with orders, points, a reward and a coupon, for screenshots and demos. */
export async function seedSampleStore(api: Api): Promise<{ featured: CustomerRef; customers: CustomerRef[] }> {
  const customers: CustomerRef[] = [];
  // Order numbers and platform ids as a store shows them (#5001, 7204117), not test tags.
  let nextOrder = 5001;
  for (const [i, [firstName, lastName, accountState, birthday]] of PEOPLE.entries()) {
    const c = await createCustomer(api, {
      firstName,
      lastName,
      accountState,
      email: `${firstName}.${lastName}@example.com`.toLowerCase(),
      ...(birthday ? { birthday } : {}),
      emailVerified: i % 3 !== 2,
      externalId: `${7204117 + i * 3911}`,
    });
    customers.push(c);
    const orders = (i * 7) % 5;
    for (let o = 0; o < orders; o++) await placeOrder(api, c.id, (40 + ((i * 37 + o * 23) % 160)).toFixed(2), 'USD', String(nextOrder++));
  }
  const featured = customers[0]!;
  await placeOrder(api, featured.id, '248.00', 'USD', String(nextOrder++));
  await placeOrder(api, featured.id, '132.50', 'USD', String(nextOrder++));
  await addPoints(api, featured.id, 150, 'Apology for a late delivery');
  const reward = await createReward(api, { name: '$10 off your next order', pointsCost: 200, amount: '10.00' });
  await api.send('POST', `/api/v1/customers/${featured.id}/redemptions`, { rewardId: reward.id });
  await api.send('PUT', `/api/v1/customers/${featured.id}/note`, { text: 'Prefers email contact. Issued goodwill points after the March shipping delay.' }).catch(() => undefined);
  return { featured, customers };
}
