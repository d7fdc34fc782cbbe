import type { AppContext } from '../context.js';
import { newId } from '../db/ids.js';
import { cacheTag, cachedRead } from '../db/invalidation.js';
import type { Executor, Tx } from '../db/tx.js';
import { insertOutbox, type DeliveryRow, type OutboundEventRow } from '../modules/events/events.repo.js';
import { CATALOG, isEventType, type EventType } from './catalog.js';
import type { DomainEvent, EventScope } from './types.js';

/** The rows one batch of events writes: the log entries and one delivery per subscribed consumer. */
export interface OutboxRows {
  events: OutboundEventRow[];
  deliveries: DeliveryRow[];
}

/** A payload that does not match the catalog is a bug in the emitter, never bad user input. */
export class EventSchemaError extends Error {
  constructor(type: string, detail: string) {
    super(`Event "${type}" does not match the event catalog: ${detail}`);
    this.name = 'EventSchemaError';
  }
}

function validated<T extends EventType>(event: DomainEvent<T>): DomainEvent<T> {
  if (!isEventType(event.type)) throw new EventSchemaError(event.type, 'no such event in the catalog');
  const parsed = CATALOG[event.type].payload.safeParse(event.payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new EventSchemaError(event.type, `${issue.path.join('.') || 'payload'}: ${issue.message}`);
  }
  return { ...event, payload: parsed.data as DomainEvent<T>['payload'] };
}

/** The customer an event is about: deliveries to one consumer keep this customer's events in order. */
function orderingKey(payload: Record<string, unknown>): string | null {
  const key = payload.customerId ?? payload.referrerCustomerId;
  return typeof key === 'string' ? key : null;
}

/** The names of a registry's consumers that have an `activeOrgs` condition (part of the cache key). */
const GATED = new WeakMap<AppContext['events'], string>();

/**
 * The consumers with an `activeOrgs` condition that hold in this organization (an endpoint,
 * a connected tool, a configured wallet), read through the process cache: every write that
 * changes one of those conditions invalidates `cacheTag.outbox(orgId)` in its repository.
 * `db` is the caller's executor (inside a transaction the cache still answers; a miss is
 * read in that transaction, the embedded database having no other session).
 */
function activeConditionalConsumers(ctx: AppContext, db: Executor, orgId: string): Promise<ReadonlySet<string>> {
  let names = GATED.get(ctx.events);
  if (names === undefined) GATED.set(ctx.events, (names = ctx.events.consumers.filter((c) => c.activeOrgs).map((c) => c.name).join(',')));
  return cachedRead(
    db,
    `outbox_consumers:${orgId}:${names}`,
    async () => {
      const names = new Set<string>();
      for (const c of ctx.events.consumers) if (c.activeOrgs && (await c.activeOrgs({ ...ctx, db }, [orgId])).has(orgId)) names.add(c.name);
      return names;
    },
    () => [cacheTag.outbox(orgId)],
    { acrossTransactions: true },
  );
}

/**
 * Validates events against the catalog and builds their outbox rows, stamped `at`: one
 * delivery per subscribed consumer that has something to do in the event's organization (a
 * consumer without `activeOrgs` always has). An event without deliveries is logged as already
 * delivered. Deliveries that would only be settled unsent later are not written at all: in an
 * organization without endpoints or connected tools a ledger change writes no delivery rows.
 */
export async function outboxRows(ctx: AppContext, db: Executor, events: readonly DomainEvent[], at: Date): Promise<OutboxRows> {
  const rows: OutboxRows = { events: [], deliveries: [] };
  for (const raw of events) {
    const event = validated(raw);
    const id = newId(at.getTime());
    let consumers = ctx.events.consumersFor(event.type);
    if (consumers.some((c) => c.activeOrgs)) {
      const active = await activeConditionalConsumers(ctx, db, event.orgId);
      consumers = consumers.filter((c) => !c.activeOrgs || active.has(c.name));
    }
    const payload = event.payload as Record<string, unknown>;
    rows.events.push({
      org_id: event.orgId,
      id,
      type: event.type,
      version: CATALOG[event.type].version,
      payload,
      created_at: at,
      delivered_at: consumers.length === 0 ? at : null,
    });
    const key = orderingKey(payload);
    for (const c of consumers) rows.deliveries.push({ org_id: event.orgId, event_id: id, consumer: c.name, ordering_key: key, next_attempt_at: at, created_at: at });
  }
  return rows;
}

/** Runs the in-transaction reactions to events already written (by `emit` or the ledger's batch write). */
export async function react(tx: Tx, ctx: AppContext, events: readonly DomainEvent[], scope: EventScope): Promise<void> {
  for (const event of events) {
    for (const r of ctx.events.reactionsFor(event.type)) if (!r.when || r.when(event)) await r.run(tx, ctx, event, scope);
  }
}

/**
 * Emits a domain event inside the transaction that causes it: validates the payload against
 * the catalog, writes it to the outbox (with a delivery per subscribed consumer) and runs
 * the in-transaction reactions. If a reaction fails, the whole transaction rolls back.
 */
export async function emit<T extends EventType>(tx: Tx, ctx: AppContext, event: DomainEvent<T>, scope: EventScope): Promise<void> {
  const rows = await outboxRows(ctx, tx, [event], scope.at);
  await insertOutbox(tx, rows.events, rows.deliveries);
  await react(tx, ctx, [event], scope);
}
