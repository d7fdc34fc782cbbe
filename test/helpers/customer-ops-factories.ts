import { expect } from 'vitest';
import type { Client, Harness, OrgFixture } from './harness.js';

export async function setProgram(f: OrgFixture, patch: Record<string, unknown>): Promise<void> {
  const res = await f.api.patch('/api/v1/program', patch);
  expect(res.statusCode, res.body).toBe(200);
}

export async function setMembership(c: Client, customerId: string, type: 'member' | 'guest' | 'left') {
  return c.post(`/api/v1/customers/${customerId}/membership`, { type });
}

export async function createRule(f: OrgFixture, body: Record<string, unknown>): Promise<{ id: string; key: string; points: number }> {
  const res = await f.api.post('/api/v1/earning-rules', { name: `Rule ${String(body.kind)}`, ...body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

export interface TierSpec {
  name: string;
  /** In the basis representation: "250.00" for amount spent, an integer for points and orders. */
  threshold: string | number;
  earnMultiplier?: string;
  entryPoints?: number;
  birthdayPoints?: number | null;
}

/** Tier settings and tiers for one organization; returns tier ids by name. */
export async function setupTiers(
  f: OrgFixture,
  settings: { basis: string; window: string; graceDays: number },
  tiers: TierSpec[],
): Promise<Record<string, string>> {
  const s = await f.api.put('/api/v1/tiers/settings', settings);
  expect(s.statusCode, s.body).toBe(200);
  const ids: Record<string, string> = {};
  for (const t of tiers) {
    const res = await f.api.post('/api/v1/tiers', t);
    expect(res.statusCode, res.body).toBe(201);
    ids[t.name] = (res.json() as { id: string }).id;
  }
  return ids;
}

export async function profile(c: Client, customerId: string) {
  const res = await c.get(`/api/v1/customers/${customerId}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** The customer's timeline straight from the table (newest first). */
export async function timeline(h: Harness, orgId: string, customerId: string) {
  return h.ctx.db
    .selectFrom('activity_events')
    .select(['type', 'actor_type', 'actor_id', 'actor_name', 'summary', 'payload'])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function entries(c: Client, customerId: string) {
  const res = await c.get(`/api/v1/customers/${customerId}/points/entries?limit=200`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json().items as { id: string; kind: string; points: number; explanation: string; source: { type: string; id: string } | null; actor: { type: string; name: string } }[];
}
