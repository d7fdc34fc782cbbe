import type { Actor, AppContext } from '../context.js';
import type { Executor, Tx } from '../db/tx.js';
import type { CustomerView } from '../modules/customers/customers.schemas.js';
import type { CustomersTable } from '../db/types.js';
import type { OrdersTable } from '../modules/points/points.tables.js';
import type { EventPayload, EventType } from './catalog.js';
import type { Selectable } from 'kysely';

/** A customer and an order as read from their tables (the rows an event scope carries). */
type CustomerRow = Selectable<CustomersTable>;
type OrderRow = Selectable<OrdersTable>;

/**
 * What an in-transaction reaction receives besides the event: who caused it and the rows
 * the emitter holds locked. A reaction that changes the customer changes `customer` in place,
 * so the emitter's copy stays current (the same object the ledger keeps balances on).
 */
export interface EventScope {
  actor: Actor;
  at: Date;
  customer?: CustomerRow | undefined;
  order?: OrderRow | undefined;
}

/** One domain event as emitted: its catalog type and a payload validated against the catalog schema. */
export interface DomainEvent<T extends EventType = EventType> {
  type: T;
  orgId: string;
  payload: EventPayload<T>;
}

/** An event as stored in the outbox and handed to consumers. */
export interface StoredEvent<T extends EventType = EventType> extends DomainEvent<T> {
  id: string;
  version: number;
  createdAt: Date;
}

/**
 * Runs inside the transaction that emits the event: if it throws, the cause rolls back too.
 * Use for what must be atomic with the cause (a tier upgrade in the qualifying transaction).
 */
export interface Reaction<T extends EventType = EventType> {
  /** Unique name, shown in errors and docs (module.what). */
  name: string;
  on: T;
  run(tx: Tx, ctx: AppContext, event: DomainEvent<T>, scope: EventScope): Promise<void>;
  /**
   * Which events of its type it acts on, decided from the event alone (no query). Absent:
   * all. Lets a writer skip the transaction it would open only for reactions that do nothing.
   */
  when?: ((event: DomainEvent<T>) => boolean) | undefined;
}

/** Any reaction, whatever event it subscribes to. */
export type AnyReaction = { [K in EventType]: Reaction<K> }[EventType];

/** Declares a reaction with its payload typed from the catalog. */
export function reaction<T extends EventType>(on: T, name: string, run: Reaction<T>['run'], when?: Reaction<T>['when']): AnyReaction {
  return { on, name, run, when } as unknown as AnyReaction;
}

/**
 * Receives committed events after the fact, each consumer with its own delivery state,
 * retries with backoff and dead letter. Throwing means "try again later".
 */
export interface OutboxConsumer {
  /** Unique, stable name: delivery state is stored under it. */
  name: string;
  /** The event types it receives; '*' for all. */
  events: readonly EventType[] | '*';
  deliver(event: StoredEvent, ctx: AppContext): Promise<void>;
  /** Attempts before the delivery is dead-lettered (default 10). */
  maxAttempts?: number | undefined;
  /** Delay before attempt n+1 after n failures, in ms (default exponential from 1 s, capped at 1 h). */
  backoffMs?: ((failures: number) => number) | undefined;
  /**
   * The organizations among `orgIds` where this consumer has something to do (an endpoint, a
   * connected tool). Deliveries for the others are recorded as delivered in one statement
   * without calling `deliver`, so organizations that never use a consumer cost it nothing and
   * a backlog there never delays another organization's events. Absent: every organization.
   */
  activeOrgs?: ((ctx: AppContext, orgIds: readonly string[]) => Promise<ReadonlySet<string>>) | undefined;
}

/** Earn multiplier for a customer at this moment, as a decimal string, with a label for the explanation. */
export type EarnMultiplier = (db: Executor, orgId: string, customer: CustomerRow) => Promise<{ factor: string; label: string | null }>;

/** Sections of the customer profile filled in by the module that owns them (absent: the empty default). */
export interface ProfileSections {
  tier?: ((ctx: AppContext, db: Executor, row: CustomerRow) => Promise<CustomerView['tier']>) | undefined;
  referralStats?: ((ctx: AppContext, db: Executor, row: CustomerRow) => Promise<CustomerView['referralStats']>) | undefined;
  marketingSync?: ((ctx: AppContext, db: Executor, row: CustomerRow) => Promise<CustomerView['marketingSync']>) | undefined;
}

/** What a module contributes to events and shared views (fields of its module definition). */
export interface EventContributions {
  reactions?: readonly AnyReaction[] | undefined;
  consumers?: readonly OutboxConsumer[] | undefined;
  profileSections?: ProfileSections | undefined;
  earnMultiplier?: EarnMultiplier | undefined;
}

/** Built once per process from the module list and carried on the context as `ctx.events`. */
export interface EventRegistry {
  reactionsFor<T extends EventType>(type: T): readonly Reaction<T>[];
  consumersFor(type: EventType): readonly OutboxConsumer[];
  consumer(name: string): OutboxConsumer | undefined;
  readonly consumers: readonly OutboxConsumer[];
  readonly profileSections: Required<ProfileSections>;
  readonly earnMultiplier: EarnMultiplier;
}

declare module '../context.js' {
  interface AppContext {
    /** Reactions, outbox consumers and providers of the modules, built once per process (runtime). */
    events: EventRegistry;
  }
}
