import { sql } from 'kysely';
import type { Generated } from 'kysely';
import type { Timestamp } from '../../db/types.js';
import type { Executor } from '../../db/tx.js';

export interface OutboundEventsTable {
  org_id: string;
  id: string;
  type: string;
  version: number;
  payload: string | Record<string, unknown>;
  created_at: Timestamp;
  /** Every consumer's delivery finished (delivered or dead), or no consumer was subscribed. */
  delivered_at: Timestamp | null;
}

export type DeliveryStatus = 'pending' | 'delivered' | 'dead';

export interface OutboundDeliveriesTable {
  org_id: string;
  event_id: string;
  consumer: string;
  ordering_key: string | null;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Generated<Timestamp | null>;
  last_error: Generated<string | null>;
  delivered_at: Generated<Timestamp | null>;
  created_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    outbound_events: OutboundEventsTable;
    outbound_deliveries: OutboundDeliveriesTable;
  }
}

/** The stored row of an outbound event (also written in batch by the ledger's write function). */
export interface OutboundEventRow {
  org_id: string;
  id: string;
  type: string;
  version: number;
  payload: Record<string, unknown>;
  created_at: Date;
  delivered_at: Date | null;
}

export interface DeliveryRow {
  org_id: string;
  event_id: string;
  consumer: string;
  ordering_key: string | null;
  next_attempt_at: Date;
  created_at: Date;
}

export async function insertOutbox(db: Executor, events: OutboundEventRow[], deliveries: DeliveryRow[]): Promise<void> {
  if (events.length > 0) await db.insertInto('outbound_events').values(events.map((e) => ({ ...e, payload: JSON.stringify(e.payload) }))).execute();
  if (deliveries.length > 0) await db.insertInto('outbound_deliveries').values(deliveries).execute();
}

export interface ClaimedDelivery {
  org_id: string;
  event_id: string;
  consumer: string;
  attempts: number;
  type: string;
  version: number;
  payload: Record<string, unknown>;
  event_created_at: Date;
}

/**
 * Leases up to `limit` due deliveries of the given consumers (counting the attempt), oldest
 * event first. A delivery waits while an earlier one to the same consumer about the same
 * customer is still pending, so each consumer sees one customer's events in order.
 */
export async function claimDueDeliveries(db: Executor, consumers: readonly string[], now: Date, leaseUntil: Date, limit: number): Promise<ClaimedDelivery[]> {
  if (consumers.length === 0) return [];
  const claimed = await sql<{ org_id: string; event_id: string; consumer: string; attempts: number }>`
    update outbound_deliveries set attempts = attempts + 1, locked_until = ${leaseUntil}
    where (org_id, event_id, consumer) in (
      select d.org_id, d.event_id, d.consumer from outbound_deliveries d
      where d.status = 'pending' and d.next_attempt_at <= ${now}
        and (d.locked_until is null or d.locked_until < ${now})
        and d.consumer in (${sql.join(consumers.map((c) => sql`${c}`))})
        and not exists (
          select 1 from outbound_deliveries e
          where e.status = 'pending' and e.consumer = d.consumer and e.org_id = d.org_id
            and e.ordering_key = d.ordering_key and e.event_id < d.event_id)
      order by d.event_id
      limit ${limit}
      for update skip locked)
    returning org_id, event_id, consumer, attempts`.execute(db);
  if (claimed.rows.length === 0) return [];
  const events = await db
    .selectFrom('outbound_events')
    .select(['org_id', 'id', 'type', 'version', 'payload', 'created_at'])
    .where((eb) => eb.or(claimed.rows.map((r) => eb.and([eb('org_id', '=', r.org_id), eb('id', '=', r.event_id)]))))
    .execute();
  const byId = new Map(events.map((e) => [`${e.org_id}/${e.id}`, e]));
  return claimed.rows
    .map((r) => {
      const e = byId.get(`${r.org_id}/${r.event_id}`)!;
      return { ...r, type: e.type, version: e.version, payload: e.payload as Record<string, unknown>, event_created_at: e.created_at };
    })
    .sort((a, b) => (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0));
}

type DeliveryKey = Pick<ClaimedDelivery, 'org_id' | 'event_id' | 'consumer'>;

export async function markDelivered(db: Executor, d: DeliveryKey, now: Date): Promise<void> {
  await db
    .updateTable('outbound_deliveries')
    .set({ status: 'delivered', delivered_at: now, locked_until: null, last_error: null })
    .where('org_id', '=', d.org_id)
    .where('event_id', '=', d.event_id)
    .where('consumer', '=', d.consumer)
    .execute();
  await finishEventIfDone(db, d.org_id, d.event_id, now);
}

/** Deliveries settled without calling their consumer (nothing to do in that organization), in one statement each. */
export async function markDeliveredMany(db: Executor, ds: readonly DeliveryKey[], now: Date): Promise<void> {
  if (ds.length === 0) return;
  const consumer = ds[0]!.consumer;
  const keys = ds.map((d) => sql`(${d.org_id}, ${d.event_id})`);
  await sql`update outbound_deliveries set status = 'delivered', delivered_at = ${now}, locked_until = null, last_error = null
    where consumer = ${consumer} and (org_id, event_id) in (${sql.join(keys)})`.execute(db);
  await sql`update outbound_events ev set delivered_at = ${now}
    where (ev.org_id, ev.id) in (${sql.join(keys)}) and ev.delivered_at is null
      and not exists (select 1 from outbound_deliveries d where d.org_id = ev.org_id and d.event_id = ev.id and d.status = 'pending')`.execute(db);
}

/** A failed attempt: retried at `retryAt`, or dead-lettered when `retryAt` is null. */
export async function markFailed(db: Executor, d: DeliveryKey, error: string, retryAt: Date | null, now: Date): Promise<void> {
  await db
    .updateTable('outbound_deliveries')
    .set(retryAt ? { next_attempt_at: retryAt, locked_until: null, last_error: error } : { status: 'dead', locked_until: null, last_error: error })
    .where('org_id', '=', d.org_id)
    .where('event_id', '=', d.event_id)
    .where('consumer', '=', d.consumer)
    .execute();
  if (!retryAt) await finishEventIfDone(db, d.org_id, d.event_id, now);
}

async function finishEventIfDone(db: Executor, orgId: string, eventId: string, now: Date): Promise<void> {
  await db
    .updateTable('outbound_events')
    .set({ delivered_at: now })
    .where('org_id', '=', orgId)
    .where('id', '=', eventId)
    .where('delivered_at', 'is', null)
    .where((eb) =>
      eb.not(eb.exists(eb.selectFrom('outbound_deliveries').select('consumer').where('org_id', '=', orgId).where('event_id', '=', eventId).where('status', '=', 'pending'))),
    )
    .execute();
}

/** Delivery state of one event, per consumer (for tests, support and the docs' examples). */
export function deliveriesOf(db: Executor, orgId: string, eventId: string) {
  return db.selectFrom('outbound_deliveries').selectAll().where('org_id', '=', orgId).where('event_id', '=', eventId).orderBy('consumer').execute();
}
