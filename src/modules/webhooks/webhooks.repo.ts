import { sql, type Selectable } from 'kysely';
import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhookDeliveryStatus, WebhookEndpointsTable } from './webhooks.tables.js';

export type EndpointRow = Selectable<WebhookEndpointsTable>;
export type DeliveryRow = Selectable<WebhookDeliveriesTable>;
export type AttemptRow = Selectable<WebhookAttemptsTable>;

// ---------------------------------------------------------------------------------------
// Endpoints

export interface NewEndpoint {
  org_id: string;
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  secret_sealed: string;
  created_at: Date;
  updated_at: Date;
}

export async function insertEndpoint(db: Executor, row: NewEndpoint): Promise<EndpointRow> {
  await invalidate(db, [cacheTag.outbox(row.org_id)]);
  return db
    .insertInto('webhook_endpoints')
    .values({
      ...row,
      events: JSON.stringify(row.events),
      previous_secret_sealed: null,
      previous_secret_expires_at: null,
      failing_since: null,
      last_success_at: null,
      last_failure_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function listEndpoints(db: Executor, orgId: string): Promise<EndpointRow[]> {
  return db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).orderBy('created_at').orderBy('id').execute();
}

export function countEndpoints(db: Executor, orgId: string): Promise<{ n: string | number | bigint } | undefined> {
  return db.selectFrom('webhook_endpoints').select((eb) => eb.fn.countAll().as('n')).where('org_id', '=', orgId).executeTakeFirst();
}

export function getEndpoint(db: Executor, orgId: string, id: string, forUpdate = false): Promise<EndpointRow | undefined> {
  let q = db.selectFrom('webhook_endpoints').selectAll().where('org_id', '=', orgId).where('id', '=', id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export interface EndpointChanges {
  url?: string;
  description?: string;
  events?: string[];
  enabled?: boolean;
  disabled_reason?: string | null;
  disabled_at?: Date | null;
  failing_since?: Date | null;
  secret_sealed?: string;
  previous_secret_sealed?: string | null;
  previous_secret_expires_at?: Date | null;
  updated_at: Date;
}

export async function updateEndpoint(db: Executor, orgId: string, id: string, changes: EndpointChanges): Promise<EndpointRow | undefined> {
  const { events, ...rest } = changes;
  if (rest.enabled !== undefined) await invalidate(db, [cacheTag.outbox(orgId)]);
  return db
    .updateTable('webhook_endpoints')
    .set({ ...rest, ...(events ? { events: JSON.stringify(events) } : {}) })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteEndpoint(db: Executor, orgId: string, id: string): Promise<EndpointRow | undefined> {
  await invalidate(db, [cacheTag.outbox(orgId)]);
  return db.deleteFrom('webhook_endpoints').where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Enabled endpoints that existed at `at` (an endpoint receives events from its creation on). */
export function enabledEndpoints(db: Executor, orgId: string, at: Date): Promise<Pick<EndpointRow, 'id' | 'events'>[]> {
  return db
    .selectFrom('webhook_endpoints')
    .select(['id', 'events'])
    .where('org_id', '=', orgId)
    .where('enabled', '=', true)
    .where('created_at', '<=', at)
    .execute();
}

/** Counts of an endpoint's deliveries by status. */
export function deliveryCounts(db: Executor, orgId: string, endpointIds: string[]) {
  if (endpointIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('webhook_deliveries')
    .select((eb) => ['endpoint_id', 'status', eb.fn.countAll().as('n')])
    .where('org_id', '=', orgId)
    .where('endpoint_id', 'in', endpointIds)
    .groupBy(['endpoint_id', 'status'])
    .execute();
}

// ---------------------------------------------------------------------------------------
// Deliveries

export interface NewDelivery {
  org_id: string;
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  kind: 'event' | 'test';
  ordering_key: string | null;
  body: string;
  next_attempt_at: Date;
  created_at: Date;
  updated_at: Date;
}

/** Inserts deliveries; one that exists for the same (endpoint, event) is left as it is. Returns how many were new. */
export async function insertDeliveries(db: Executor, rows: NewDelivery[]): Promise<number> {
  if (rows.length === 0) return 0;
  const inserted = await db
    .insertInto('webhook_deliveries')
    .values(rows.map((r) => ({ ...r, locked_until: null, last_response_status: null, last_error: null, delivered_at: null })))
    .onConflict((oc) => oc.columns(['org_id', 'endpoint_id', 'event_id']).doNothing())
    .returning('id')
    .execute();
  return inserted.length;
}

/** A leased delivery with what sending it needs from its endpoint. */
export interface ClaimedDelivery {
  org_id: string;
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  kind: 'event' | 'test';
  body: string;
  attempts: number;
  retry_step: number;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
}

async function loadClaimed(db: Executor, keys: { org_id: string; id: string }[]): Promise<ClaimedDelivery[]> {
  if (keys.length === 0) return [];
  const rows = await db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', (j) => j.onRef('e.org_id', '=', 'd.org_id').onRef('e.id', '=', 'd.endpoint_id'))
    .select([
      'd.org_id',
      'd.id',
      'd.endpoint_id',
      'd.event_id',
      'd.event_type',
      'd.kind',
      'd.body',
      'd.attempts',
      'd.retry_step',
      'e.url',
      'e.secret_sealed',
      'e.previous_secret_sealed',
      'e.previous_secret_expires_at',
    ])
    .where((eb) => eb.or(keys.map((k) => eb.and([eb('d.org_id', '=', k.org_id), eb('d.id', '=', k.id)]))))
    .execute();
  return rows.sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
}

/**
 * Leases up to `limit` due deliveries (counting the attempt) of enabled endpoints (a test
 * message goes to a disabled one too). A delivery waits while an earlier one to the same
 * endpoint about the same customer is still pending, so each endpoint receives one
 * customer's messages in order.
 */
export async function claimDue(db: Executor, opts: { now: Date; leaseUntil: Date; limit: number; orgId?: string | undefined }): Promise<ClaimedDelivery[]> {
  const { now, leaseUntil, limit, orgId } = opts;
  const claimed = await sql<{ org_id: string; id: string }>`
    update webhook_deliveries set attempts = attempts + 1, locked_until = ${leaseUntil}, updated_at = ${now}
    where (org_id, id) in (
      select d.org_id, d.id from webhook_deliveries d
      join webhook_endpoints e on e.org_id = d.org_id and e.id = d.endpoint_id
      where d.status = 'pending' and d.next_attempt_at <= ${now}
        and (d.locked_until is null or d.locked_until < ${now})
        and (e.enabled or d.kind = 'test')
        ${orgId === undefined ? sql`` : sql`and d.org_id = ${orgId}`}
        and not exists (
          select 1 from webhook_deliveries p
          where p.org_id = d.org_id and p.endpoint_id = d.endpoint_id and p.ordering_key = d.ordering_key
            and p.status = 'pending' and p.event_id < d.event_id)
      order by d.next_attempt_at, d.event_id
      limit ${limit}
      for update of d skip locked)
    returning org_id, id`.execute(db);
  return loadClaimed(db, claimed.rows);
}

/**
 * Leases one delivery for a manual attempt (redelivery, test message) whatever its status
 * and schedule, unless another attempt holds it. The retry schedule starts again.
 */
export async function claimForManualAttempt(db: Executor, orgId: string, endpointId: string, id: string, now: Date, leaseUntil: Date): Promise<ClaimedDelivery | null> {
  const row = await db
    .updateTable('webhook_deliveries')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), locked_until: leaseUntil, status: 'pending', retry_step: 0, next_attempt_at: now, updated_at: now }))
    .where('org_id', '=', orgId)
    .where('endpoint_id', '=', endpointId)
    .where('id', '=', id)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .returning(['org_id', 'id'])
    .executeTakeFirst();
  if (!row) return null;
  return (await loadClaimed(db, [row]))[0] ?? null;
}

export interface AttemptResult {
  startedAt: Date;
  durationMs: number;
  outcome: 'delivered' | 'failed';
  responseStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  manual: boolean;
}

/** Writes the attempt to the log; false when the delivery is gone (its endpoint was deleted meanwhile). */
export async function insertAttempt(db: Executor, d: Pick<ClaimedDelivery, 'org_id' | 'id' | 'endpoint_id' | 'attempts'>, r: AttemptResult): Promise<boolean> {
  const exists = await db.selectFrom('webhook_deliveries').select('id').where('org_id', '=', d.org_id).where('id', '=', d.id).forUpdate().executeTakeFirst();
  if (!exists) return false;
  await db
    .insertInto('webhook_attempts')
    .values({
      org_id: d.org_id,
      delivery_id: d.id,
      attempt: d.attempts,
      endpoint_id: d.endpoint_id,
      started_at: r.startedAt,
      duration_ms: r.durationMs,
      outcome: r.outcome,
      response_status: r.responseStatus,
      response_excerpt: r.responseExcerpt,
      error: r.error,
      manual: r.manual,
    })
    .onConflict((oc) => oc.columns(['org_id', 'delivery_id', 'attempt']).doNothing())
    .execute();
  return true;
}

export interface DeliveryOutcome {
  status: WebhookDeliveryStatus;
  retry_step: number;
  next_attempt_at?: Date;
  last_response_status: number | null;
  last_error: string | null;
  delivered_at?: Date;
  updated_at: Date;
}

export async function finishAttempt(db: Executor, orgId: string, id: string, outcome: DeliveryOutcome): Promise<void> {
  await db
    .updateTable('webhook_deliveries')
    .set({ ...outcome, locked_until: null })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export async function endpointSucceeded(db: Executor, orgId: string, endpointId: string, now: Date): Promise<void> {
  await db
    .updateTable('webhook_endpoints')
    .set({ failing_since: null, last_success_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', endpointId)
    .execute();
}

/** Records a failure; returns since when the endpoint has been failing and whether it is enabled. */
export async function endpointFailed(db: Executor, orgId: string, endpointId: string, now: Date) {
  return db
    .updateTable('webhook_endpoints')
    .set((eb) => ({ failing_since: eb.fn.coalesce('failing_since', sql<Date>`${now}::timestamptz`), last_failure_at: now }))
    .where('org_id', '=', orgId)
    .where('id', '=', endpointId)
    .returning(['failing_since', 'enabled'])
    .executeTakeFirst();
}

export async function disableEndpoint(db: Executor, orgId: string, endpointId: string, reason: string, now: Date): Promise<void> {
  await invalidate(db, [cacheTag.outbox(orgId)]);
  await db
    .updateTable('webhook_endpoints')
    .set({ enabled: false, disabled_reason: reason, disabled_at: now, updated_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', endpointId)
    .where('enabled', '=', true)
    .execute();
}

export function getDelivery(db: Executor, orgId: string, endpointId: string, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('webhook_deliveries').selectAll().where('org_id', '=', orgId).where('endpoint_id', '=', endpointId).where('id', '=', id).executeTakeFirst();
}

/** An endpoint's deliveries, newest first, keyset-paged on (created_at, id). */
export function listDeliveries(
  db: Executor,
  orgId: string,
  endpointId: string,
  opts: { status?: WebhookDeliveryStatus | undefined; limit: number; before: { createdAt: Date; id: string } | null },
): Promise<DeliveryRow[]> {
  let q = db.selectFrom('webhook_deliveries').selectAll().where('org_id', '=', orgId).where('endpoint_id', '=', endpointId);
  if (opts.status) q = q.where('status', '=', opts.status);
  if (opts.before) {
    const b = opts.before;
    q = q.where((eb) => eb.or([eb('created_at', '<', b.createdAt), eb.and([eb('created_at', '=', b.createdAt), eb('id', '<', b.id)])]));
  }
  return q.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
}

export function attemptsOf(db: Executor, orgId: string, deliveryIds: string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('webhook_attempts').selectAll().where('org_id', '=', orgId).where('delivery_id', 'in', deliveryIds).orderBy('delivery_id').orderBy('attempt').execute();
}

/** The organizations among `orgIds` with at least one enabled endpoint. */
export async function orgsWithEnabledEndpoints(db: Executor, orgIds: readonly string[]): Promise<Set<string>> {
  if (orgIds.length === 0) return new Set();
  const rows = await db.selectFrom('webhook_endpoints').select('org_id').distinct().where('org_id', 'in', [...orgIds]).where('enabled', '=', true).execute();
  return new Set(rows.map((r) => r.org_id));
}
