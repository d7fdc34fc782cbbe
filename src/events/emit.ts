import type { AppContext } from '../context.js';
import { newId } from '../db/ids.js';
import type { Tx } from '../db/tx.js';
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

/**
 * Validates events against the catalog and builds their outbox rows, stamped `at`.
 * An event no consumer subscribes to is logged as already delivered.
 */
export function outboxRows(ctx: AppContext, events: readonly DomainEvent[], at: Date): OutboxRows {
  const rows: OutboxRows = { events: [], deliveries: [] };
  for (const raw of events) {
    const event = validated(raw);
    const id = newId(at.getTime());
    const consumers = ctx.events.consumersFor(event.type);
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
  const rows = outboxRows(ctx, [event], scope.at);
  await insertOutbox(tx, rows.events, rows.deliveries);
  await react(tx, ctx, [event], scope);
}
