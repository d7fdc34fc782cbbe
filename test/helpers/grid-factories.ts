import { sql } from 'kysely';
import type { Harness } from './harness.js';
import { unique } from './harness.js';
import type { Client } from './harness.js';

export interface GridCustomerInput {
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  accountState?: 'registered' | 'guest';
  birthday?: string | null;
}

/** Creates a customer through the API, then sets grid-relevant columns the API sets only through other flows. */
export async function gridCustomer(
  h: Harness,
  c: Client,
  orgId: string,
  input: GridCustomerInput = {},
  set: { points?: number; tierProgress?: number; lastActivityAt?: Date | null; membership?: 'member' | 'guest' | 'left'; excluded?: boolean; tierId?: string | null; createdAt?: Date } = {},
): Promise<{ id: string; externalId: string }> {
  const externalId = unique('grid');
  const res = await c.post('/api/v1/customers', {
    externalId,
    email: input.email === undefined ? `${externalId}@example.com` : input.email,
    firstName: input.firstName === undefined ? 'Test' : input.firstName,
    lastName: input.lastName === undefined ? 'Customer' : input.lastName,
    phone: input.phone ?? null,
    birthday: input.birthday ?? null,
    accountState: input.accountState ?? 'registered',
  });
  if (res.statusCode !== 201) throw new Error(`gridCustomer: ${res.statusCode} ${res.body}`);
  const id = (res.json() as { id: string }).id;
  const patch: Record<string, unknown> = {};
  if (set.points !== undefined) patch.points_active = set.points;
  if (set.tierProgress !== undefined) patch.tier_progress = set.tierProgress;
  if (set.lastActivityAt !== undefined) patch.last_activity_at = set.lastActivityAt;
  if (set.membership !== undefined) patch.membership_type = set.membership;
  if (set.excluded !== undefined) patch.excluded_from_reports = set.excluded;
  if (set.tierId !== undefined) patch.tier_id = set.tierId;
  if (set.createdAt !== undefined) patch.created_at = set.createdAt;
  if (Object.keys(patch).length > 0) {
    await h.ctx.db.updateTable('customers').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();
  }
  return { id, externalId };
}

/** A tier row (the tiers module owns its API; the grid only needs the id to exist). */
export async function insertTier(h: Harness, orgId: string, name: string, threshold: number): Promise<string> {
  const id = (await import('../../src/db/ids.js')).newId();
  const now = h.clock.now();
  await sql`insert into tiers (org_id, id, name, threshold, created_at, updated_at) values (${orgId}, ${id}, ${name}, ${threshold}, ${now}, ${now})`.execute(h.ctx.db);
  return id;
}

/** Reads every page of a grid query; returns ids in order and the number of pages. */
export async function allPages(c: Client, query: string, limit = 7): Promise<{ ids: string[]; pages: number; first: unknown }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  let first: unknown = null;
  do {
    const url: string = `/api/v1/customers?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await c.get(url);
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    const body = res.json();
    if (!first) first = body;
    ids.push(...body.items.map((i: { id: string }) => i.id));
    cursor = body.nextCursor;
    pages += 1;
    if (pages > 1000) throw new Error('too many pages');
  } while (cursor);
  return { ids, pages, first };
}
