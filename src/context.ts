import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database, Db } from './db/database.js';
import type { ActorType } from './db/types.js';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can pin and move. */
export class FixedClock implements Clock {
  constructor(private current: Date) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  set(date: Date | string): void {
    this.current = new Date(date);
  }
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }
}

/**
 * Who did something: shown in the timeline and audit trails.
 * - `user`: a signed-in person (staff or admin);
 * - `api_key`: a store or script with an API key;
 * - `integration`: a connected platform whose requests a route verifier checked (a signed
 *   webhook, a pass provider), named after the platform and shop ("Shopify (shop.example)");
 * - `customer`: the customer themself (a storefront or pass token), named as the customer;
 * - `system`: Patron's own jobs and rules.
 */
export interface Actor {
  type: ActorType;
  id: string | null;
  /** The display name the timeline shows. */
  name: string;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null, name: 'Patron' };

/** Everything a service needs, injected: database, clock, logger, configuration. */
export interface AppContext {
  database: Database;
  db: Db;
  clock: Clock;
  logger: Logger;
  config: Config;
}
