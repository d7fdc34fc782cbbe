import { sql, type Insertable, type Selectable, type Updateable } from 'kysely';
import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';
import type { CustomersTable } from '../../db/types.js';
import type { MarketingConnectionsTable, MarketingEventsTable, MarketingSyncTable, MarketingTool, SyncState } from './marketing.tables.js';

export type ConnectionRow = Selectable<MarketingConnectionsTable>;
export type SyncRow = Selectable<MarketingSyncTable>;
export type EventRow = Selectable<MarketingEventsTable>;
export type CustomerRecord = Selectable<CustomersTable>;

// ---------------------------------------------------------------------------------------
// Connections

export function findConnection(db: Executor, orgId: string, tool: MarketingTool): Promise<ConnectionRow | undefined> {
  return db.selectFrom('marketing_connections').selectAll().where('org_id', '=', orgId).where('tool', '=', tool).executeTakeFirst();
}

export function listConnections(db: Executor, orgId: string): Promise<ConnectionRow[]> {
  return db.selectFrom('marketing_connections').selectAll().where('org_id', '=', orgId).orderBy('tool').execute();
}

export async function upsertConnection(db: Executor, row: Insertable<MarketingConnectionsTable>): Promise<ConnectionRow> {
  const { org_id: _o, tool: _t, connected_at: _c, ...update } = row;
  await invalidate(db, [cacheTag.outbox(row.org_id)]);
  return db
    .insertInto('marketing_connections')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'tool']).doUpdateSet(update))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updateConnection(db: Executor, orgId: string, tool: MarketingTool, patch: Updateable<MarketingConnectionsTable>): Promise<ConnectionRow | undefined> {
  if (patch.enabled !== undefined) await invalidate(db, [cacheTag.outbox(orgId)]);
  return db.updateTable('marketing_connections').set(patch).where('org_id', '=', orgId).where('tool', '=', tool).returningAll().executeTakeFirst();
}

/** Deletes the connection; its sync rows and queued events go with it (foreign keys cascade). */
export async function deleteConnection(db: Executor, orgId: string, tool: MarketingTool): Promise<boolean> {
  await invalidate(db, [cacheTag.outbox(orgId)]);
  const r = await db.deleteFrom('marketing_connections').where('org_id', '=', orgId).where('tool', '=', tool).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function stateCounts(db: Executor, orgId: string, tool: MarketingTool): Promise<Record<SyncState, number>> {
  const rows = await db
    .selectFrom('marketing_sync')
    .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('org_id', '=', orgId)
    .where('tool', '=', tool)
    .groupBy('state')
    .execute();
  const out: Record<SyncState, number> = { pending: 0, synced: 0, failed: 0, skipped: 0 };
  for (const r of rows) out[r.state] = Number(r.n);
  return out;
}

// ---------------------------------------------------------------------------------------
// Sync rows

/**
 * Marks a customer for a sync now (a change happened), coalescing with any pending one.
 * An anonymized customer's row (`erase`) is marked once more only to have the deletion done;
 * once erased it never changes again.
 */
export async function markDirty(db: Executor, key: { orgId: string; tool: MarketingTool; customerId: string }, now: Date, erase = false): Promise<void> {
  await db
    .insertInto('marketing_sync')
    .values({ org_id: key.orgId, tool: key.tool, customer_id: key.customerId, state: 'pending', next_attempt_at: now, erase, reason: null, remote_id: null, consent: null, consent_read_at: null, last_synced_at: null, locked_until: null, erased_at: null, updated_at: now })
    .onConflict((oc) =>
      oc
        .columns(['org_id', 'tool', 'customer_id'])
        .doUpdateSet((eb) => ({
          state: 'pending',
          dirty_seq: sql<number>`${eb.ref('marketing_sync.dirty_seq')} + 1`,
          attempts: 0,
          next_attempt_at: now,
          erase: erase ? true : eb.ref('marketing_sync.erase'),
          updated_at: now,
        }))
        .where('marketing_sync.erased_at', 'is', null),
    )
    .execute();
}

/** Every customer of the organization gets a row (the first sync); `due` null waits for a bulk import. */
export async function insertAllCustomers(db: Executor, orgId: string, tool: MarketingTool, due: Date | null, now: Date): Promise<number> {
  const r = await db
    .insertInto('marketing_sync')
    .columns(['org_id', 'tool', 'customer_id', 'state', 'next_attempt_at', 'updated_at'])
    .expression((eb) =>
      eb
        .selectFrom('customers')
        .select([sql.lit(orgId).as('org_id'), sql<MarketingTool>`${tool}`.as('tool'), 'id', sql<SyncState>`'pending'`.as('state'), sql<Date | null>`${due}::timestamptz`.as('next_attempt_at'), sql<Date>`${now}::timestamptz`.as('updated_at')])
        .where('org_id', '=', orgId),
    )
    .onConflict((oc) => oc.doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0);
}

/** Leases up to `limit` due rows of one tool (a row leased by another worker is skipped). */
export async function claimDue(db: Executor, orgId: string, tool: MarketingTool, now: Date, leaseUntil: Date, limit: number): Promise<SyncRow[]> {
  const r = await sql<SyncRow>`
    update marketing_sync set locked_until = ${leaseUntil}
    where (org_id, tool, customer_id) in (
      select org_id, tool, customer_id from marketing_sync
      where org_id = ${orgId} and tool = ${tool} and state = 'pending' and next_attempt_at <= ${now}
        and (locked_until is null or locked_until < ${now})
      order by next_attempt_at, customer_id
      limit ${limit}
      for update skip locked)
    returning *`.execute(db);
  return r.rows;
}

/**
 * Records the outcome of a sync that read the customer at `seq`. When a change arrived
 * meanwhile (dirty_seq moved on), the row stays pending and is due at once.
 */
export async function finishSync(
  db: Executor,
  key: { orgId: string; tool: MarketingTool; customerId: string },
  seq: number,
  outcome: { state: SyncState; reason: string | null; patch?: Updateable<MarketingSyncTable> },
  now: Date,
): Promise<void> {
  await db
    .updateTable('marketing_sync')
    .set((eb) => ({
      ...outcome.patch,
      state: sql<SyncState>`case when ${eb.ref('dirty_seq')} = ${seq} then ${outcome.state} else 'pending' end`,
      next_attempt_at: sql<Date | null>`case when ${eb.ref('dirty_seq')} = ${seq} then null else ${now}::timestamptz end`,
      reason: outcome.reason,
      synced_seq: seq,
      attempts: 0,
      locked_until: null,
      updated_at: now,
    }))
    .where('org_id', '=', key.orgId)
    .where('tool', '=', key.tool)
    .where('customer_id', '=', key.customerId)
    .execute();
}

/** A failed attempt to be tried again at `retryAt` (the row stays pending, its error shown). */
export async function retryLater(db: Executor, key: { orgId: string; tool: MarketingTool; customerId: string }, reason: string, retryAt: Date, countAttempt: boolean, now: Date): Promise<void> {
  await db
    .updateTable('marketing_sync')
    .set((eb) => ({
      reason,
      next_attempt_at: retryAt,
      locked_until: null,
      attempts: countAttempt ? sql<number>`${eb.ref('attempts')} + 1` : eb.ref('attempts'),
      updated_at: now,
    }))
    .where('org_id', '=', key.orgId)
    .where('tool', '=', key.tool)
    .where('customer_id', '=', key.customerId)
    .execute();
}

/** Gives back leased rows untouched except for when they are due (rate limited before their turn). */
export async function release(db: Executor, orgId: string, tool: MarketingTool, customerIds: string[], retryAt: Date): Promise<void> {
  if (customerIds.length === 0) return;
  await db
    .updateTable('marketing_sync')
    .set({ locked_until: null, next_attempt_at: retryAt })
    .where('org_id', '=', orgId)
    .where('tool', '=', tool)
    .where('customer_id', 'in', customerIds)
    .where('state', '=', 'pending')
    .execute();
}

/** When the next pending row of a tool is due; null when none waits. */
export async function nextDueAt(db: Executor, orgId: string, tool: MarketingTool): Promise<Date | null> {
  const r = await db
    .selectFrom('marketing_sync')
    .select((eb) => eb.fn.min('next_attempt_at').as('at'))
    .where('org_id', '=', orgId)
    .where('tool', '=', tool)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return r?.at ? new Date(r.at) : null;
}

export function syncRowsOfCustomer(db: Executor, orgId: string, customerId: string): Promise<SyncRow[]> {
  return db.selectFrom('marketing_sync').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).orderBy('tool').execute();
}

/**
 * Customers whose profile changed after their last sync in a tool (a profile edit emits no
 * event): marked pending. Rows of anonymized customers are left alone.
 */
export async function markEditedSinceSync(db: Executor, orgId: string, tool: MarketingTool, now: Date): Promise<number> {
  const r = await db
    .updateTable('marketing_sync as s')
    .from('customers as c')
    .set((eb) => ({ state: 'pending', dirty_seq: sql<number>`${eb.ref('s.dirty_seq')} + 1`, attempts: 0, next_attempt_at: now, updated_at: now }))
    .whereRef('c.org_id', '=', 's.org_id')
    .whereRef('c.id', '=', 's.customer_id')
    .where('s.org_id', '=', orgId)
    .where('s.tool', '=', tool)
    .where('s.state', 'in', ['synced', 'skipped', 'failed'])
    .where('s.erase', '=', false)
    .where((eb) => eb.or([eb('s.last_synced_at', 'is', null), eb('c.updated_at', '>', eb.ref('s.last_synced_at'))]))
    .where((eb) => eb.or([eb('s.state', '!=', 'skipped'), eb('c.updated_at', '>', eb.ref('s.updated_at'))]))
    .where((eb) => eb.or([eb('s.state', '!=', 'failed'), eb('c.updated_at', '>', eb.ref('s.updated_at'))]))
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

// ---------------------------------------------------------------------------------------
// Bulk first sync

/** Customers waiting for the bulk import (rows without a due time), in id order after `afterId`. */
export function awaitingBulk(db: Executor, orgId: string, tool: MarketingTool, afterId: string, limit: number): Promise<(SyncRow & { email: string | null; anonymized_at: Date | null })[]> {
  return db
    .selectFrom('marketing_sync as s')
    .innerJoin('customers as c', (j) => j.onRef('c.org_id', '=', 's.org_id').onRef('c.id', '=', 's.customer_id'))
    .selectAll('s')
    .select(['c.email', 'c.anonymized_at'])
    .where('s.org_id', '=', orgId)
    .where('s.tool', '=', tool)
    .where('s.state', '=', 'pending')
    .where('s.next_attempt_at', 'is', null)
    .where('s.customer_id', '>', afterId)
    .orderBy('s.customer_id')
    .limit(limit)
    .execute();
}

/** Hands rows the bulk import could not settle to the one-by-one sync. */
export async function makeDue(db: Executor, orgId: string, tool: MarketingTool, customerIds: string[], now: Date): Promise<void> {
  if (customerIds.length === 0) return;
  await db
    .updateTable('marketing_sync')
    .set({ next_attempt_at: now, updated_at: now })
    .where('org_id', '=', orgId)
    .where('tool', '=', tool)
    .where('customer_id', 'in', customerIds)
    .where('state', '=', 'pending')
    .where('next_attempt_at', 'is', null)
    .execute();
}

// ---------------------------------------------------------------------------------------
// Events

export async function insertEvent(db: Executor, row: Insertable<MarketingEventsTable>): Promise<void> {
  await db.insertInto('marketing_events').values(row).onConflict((oc) => oc.doNothing()).execute();
}

export function pendingEvents(db: Executor, orgId: string, tool: MarketingTool, customerId: string): Promise<EventRow[]> {
  return db
    .selectFrom('marketing_events')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('tool', '=', tool)
    .where('customer_id', '=', customerId)
    .where('state', '=', 'pending')
    .orderBy('occurred_at')
    .orderBy('event_id')
    .limit(100)
    .execute();
}

export async function settleEvent(db: Executor, orgId: string, tool: MarketingTool, eventId: string, patch: Updateable<MarketingEventsTable>): Promise<void> {
  await db.updateTable('marketing_events').set(patch).where('org_id', '=', orgId).where('tool', '=', tool).where('event_id', '=', eventId).execute();
}

/** Events of an anonymized customer are never sent. */
export async function dropPendingEvents(db: Executor, orgId: string, tool: MarketingTool, customerId: string): Promise<void> {
  await db
    .updateTable('marketing_events')
    .set({ state: 'dropped', properties: '{}' })
    .where('org_id', '=', orgId)
    .where('tool', '=', tool)
    .where('customer_id', '=', customerId)
    .where('state', '=', 'pending')
    .execute();
}

// ---------------------------------------------------------------------------------------
// What a profile is built from (other features' tables, read only)

export function findCustomer(db: Executor, orgId: string, customerId: string): Promise<CustomerRecord | undefined> {
  return db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
}

export function findCustomers(db: Executor, orgId: string, ids: string[]): Promise<CustomerRecord[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('id', 'in', ids).execute();
}

/** Points in active lots expiring before `until`, and the earliest of those expiry times. */
export async function expiringPoints(db: Executor, orgId: string, customerId: string, now: Date, until: Date): Promise<{ points: number; at: Date | null }> {
  const r = await db
    .selectFrom('points_lots')
    .select((eb) => [eb.fn.coalesce(eb.fn.sum<number>('remaining'), sql<number>`0`).as('points'), eb.fn.min('expires_at').as('at')])
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .where('status', '=', 'active')
    .where('remaining', '>', 0)
    .where('expires_at', '>', now)
    .where('expires_at', '<=', until)
    .executeTakeFirst();
  return { points: Number(r?.points ?? 0), at: r?.at ? new Date(r.at) : null };
}

export async function lastRewardCode(db: Executor, orgId: string, customerId: string): Promise<string | null> {
  const r = await db
    .selectFrom('coupons')
    .select('code')
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return r?.code ?? null;
}

export async function tierNames(db: Executor, orgId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('tiers').select(['id', 'name']).where('org_id', '=', orgId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.name]));
}

export function couponOf(db: Executor, orgId: string, couponId: string): Promise<{ code: string; reward_name: string } | undefined> {
  return db.selectFrom('coupons').select(['code', 'reward_name']).where('org_id', '=', orgId).where('id', '=', couponId).executeTakeFirst();
}

/** A queued sync job of this tool due by `by` (a running one does not count: it may have read the rows already). */
export async function hasQueuedJob(db: Executor, orgId: string, type: string, tool: MarketingTool, by: Date): Promise<boolean> {
  const r = await db
    .selectFrom('jobs')
    .select('id')
    .where('org_id', '=', orgId)
    .where('type', '=', type)
    .where('status', '=', 'queued')
    .where(sql<string>`payload->>'tool'`, '=', tool)
    .where('run_at', '<=', by)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

/** Every row still waiting for a bulk import becomes due for the one-by-one sync. */
export async function makeAllAwaitingDue(db: Executor, orgId: string, tool: MarketingTool, now: Date): Promise<void> {
  await db
    .updateTable('marketing_sync')
    .set({ next_attempt_at: now, updated_at: now })
    .where('org_id', '=', orgId)
    .where('tool', '=', tool)
    .where('state', '=', 'pending')
    .where('next_attempt_at', 'is', null)
    .execute();
}

/** The organizations among `orgIds` where `tool` is connected and enabled. */
export async function orgsWithEnabledConnection(db: Executor, tool: MarketingTool, orgIds: readonly string[]): Promise<Set<string>> {
  if (orgIds.length === 0) return new Set();
  const rows = await db.selectFrom('marketing_connections').select('org_id').where('tool', '=', tool).where('org_id', 'in', [...orgIds]).where('enabled', '=', true).execute();
  return new Set(rows.map((r) => r.org_id));
}
