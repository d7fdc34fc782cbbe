import { sql } from 'kysely';
import { newId } from '../../src/db/ids.js';
import type { Client, Harness } from './harness.js';
import { unique } from './harness.js';

export async function createReward(c: Client, body: Record<string, unknown> = {}): Promise<{ id: string; name: string; pointsCost: number; type: string }> {
  const res = await c.post('/api/v1/rewards', {
    name: unique('reward'),
    type: 'fixed_amount',
    pointsCost: 50,
    value: { amount: '5.00', currency: 'USD' },
    ...body,
  });
  if (res.statusCode !== 201) throw new Error(`createReward: ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function redeem(c: Client, customerId: string, rewardId: string, points?: number) {
  return c.post(`/api/v1/customers/${customerId}/redemptions`, { rewardId, ...(points !== undefined ? { points } : {}) });
}

/** The referral earning rule (its API belongs to the earning-rules module): written directly. */
export async function setReferralRule(h: Harness, orgId: string, points: number, config: Record<string, unknown> = {}, active = true): Promise<void> {
  const now = h.clock.now();
  await sql`delete from earning_rules where org_id = ${orgId} and kind = 'referral'`.execute(h.ctx.db);
  await h.ctx.db
    .insertInto('earning_rules')
    .values({ org_id: orgId, id: newId(), kind: 'referral', key: 'referral', name: 'Refer a friend', points, active, per_customer_limit: null, config: JSON.stringify(config), created_at: now, updated_at: now })
    .execute();
}

/** Timeline events of one customer straight from the table, oldest first. */
export async function timelineRows(h: Harness, orgId: string, customerId: string) {
  return h.ctx.db
    .selectFrom('activity_events')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}
