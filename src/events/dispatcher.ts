import type { AppContext } from '../context.js';
import { backoffMs as defaultBackoff } from '../jobs/worker.js';
import { claimDueDeliveries, markDelivered, markDeliveredMany, markFailed, type ClaimedDelivery } from '../modules/events/events.repo.js';
import type { EventType } from './catalog.js';
import type { OutboxConsumer, StoredEvent } from './types.js';

export const OUTBOX_CHANNEL = 'patron_outbox';
const DEFAULT_MAX_ATTEMPTS = 10;

export interface DispatcherOptions {
  /** Longest wait between two looks at the outbox when no notification arrives (default 500 ms). */
  pollMs?: number;
  batchSize?: number;
  /** How long a claimed delivery stays leased to this dispatcher before another may retry it. */
  leaseMs?: number;
}

/**
 * Delivers committed outbox events to their consumers. Each (event, consumer) delivery has its
 * own attempts, next try, last error and dead letter, so a failing consumer never holds back
 * another. Wakes on the database's commit notification and polls every `pollMs` besides.
 */
export class OutboxDispatcher {
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private woken = false;
  private unlisten: (() => Promise<void>) | null = null;

  constructor(
    private readonly ctx: AppContext,
    private readonly opts: DispatcherOptions = {},
  ) {}

  /** Claims one batch of due deliveries and delivers them; returns how many were attempted. */
  async runOnce(): Promise<number> {
    const consumers = this.ctx.events.consumers;
    if (consumers.length === 0) return 0;
    const now = this.ctx.clock.now();
    const lease = new Date(now.getTime() + (this.opts.leaseMs ?? 5 * 60_000));
    const claimed = await claimDueDeliveries(this.ctx.db, consumers.map((c) => c.name), now, lease, this.opts.batchSize ?? 50);
    const idle = await this.idleDeliveries(claimed);
    for (const group of idle.values()) await markDeliveredMany(this.ctx.db, group, this.ctx.clock.now());
    for (const d of claimed) {
      if (!idle.get(d.consumer)?.includes(d)) await this.deliver(this.ctx.events.consumer(d.consumer)!, d);
    }
    return claimed.length;
  }

  /** Claimed deliveries, by consumer, in organizations where that consumer has nothing to do. */
  private async idleDeliveries(claimed: readonly ClaimedDelivery[]): Promise<Map<string, ClaimedDelivery[]>> {
    const byConsumer = new Map<string, ClaimedDelivery[]>();
    for (const d of claimed) byConsumer.set(d.consumer, [...(byConsumer.get(d.consumer) ?? []), d]);
    const idle = new Map<string, ClaimedDelivery[]>();
    for (const [name, group] of byConsumer) {
      const activeOrgs = this.ctx.events.consumer(name)?.activeOrgs;
      if (!activeOrgs) continue;
      const active = await activeOrgs(this.ctx, [...new Set(group.map((d) => d.org_id))]);
      const none = group.filter((d) => !active.has(d.org_id));
      if (none.length > 0) idle.set(name, none);
    }
    return idle;
  }

  /** Delivers until nothing is due (tests, `patron worker --once`). */
  async drain(maxRounds = 1000): Promise<number> {
    let total = 0;
    for (let i = 0; i < maxRounds; i++) {
      const n = await this.runOnce();
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  private async deliver(consumer: OutboxConsumer, d: ClaimedDelivery): Promise<void> {
    const event: StoredEvent = {
      id: d.event_id,
      orgId: d.org_id,
      type: d.type as EventType,
      version: d.version,
      payload: d.payload as never,
      createdAt: d.event_created_at,
    };
    try {
      await consumer.deliver(event, this.ctx);
      await markDelivered(this.ctx.db, d, this.ctx.clock.now());
    } catch (err) {
      const message = (err instanceof Error ? err.message : String(err)).slice(0, 2000);
      const now = this.ctx.clock.now();
      const dead = d.attempts >= (consumer.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
      const retryAt = dead ? null : new Date(now.getTime() + (consumer.backoffMs ?? defaultBackoff)(d.attempts));
      await markFailed(this.ctx.db, d, message, retryAt, now);
      this.ctx.logger.warn({ consumer: consumer.name, eventId: d.event_id, type: d.type, attempts: d.attempts, dead, err: message }, 'event delivery failed');
    }
  }

  private nudge = () => {
    this.woken = true;
    this.wake?.();
  };

  private async listen(): Promise<void> {
    const database = this.ctx.database;
    if (database.pglite) {
      const stop = await database.pglite.listen(OUTBOX_CHANNEL, this.nudge);
      this.unlisten = stop;
    } else if (database.pool) {
      const client = await database.pool.connect();
      client.on('notification', this.nudge);
      await client.query(`listen ${OUTBOX_CHANNEL}`);
      this.unlisten = async () => {
        client.off('notification', this.nudge);
        await client.query(`unlisten ${OUTBOX_CHANNEL}`).catch(() => {});
        client.release();
      };
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const pollMs = this.opts.pollMs ?? 500;
    this.loop = (async () => {
      if (this.ctx.events.consumers.length === 0) return;
      await this.listen().catch((err: unknown) => this.ctx.logger.warn({ err }, 'outbox notifications unavailable; polling only'));
      while (this.running) {
        let ran = 0;
        this.woken = false;
        try {
          ran = await this.runOnce();
        } catch (err) {
          this.ctx.logger.error({ err }, 'outbox dispatcher error');
        }
        if (ran === 0 && this.running && !this.woken) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, pollMs);
            this.wake = () => {
              clearTimeout(t);
              resolve();
            };
          });
          this.wake = null;
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await this.unlisten?.();
    this.unlisten = null;
  }
}
