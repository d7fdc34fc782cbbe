import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { Database, Db } from './db/database.js';

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

/** Who did something: shown in the timeline and audit trails. */
export interface Actor {
  type: 'user' | 'api_key' | 'system' | 'customer';
  id: string | null;
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
