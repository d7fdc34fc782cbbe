import type { AppContext } from '../context.js';
import { listOrgIds } from '../modules/orgs/orgs.repo.js';
import { enqueue } from './queue.js';

export interface Schedule {
  /** Job type enqueued for every organization once per period. */
  jobType: string;
  everyMs: number;
}

/**
 * Periodic jobs. Each tick enqueues, per organization, one job per period with a
 * dedupe key naming the period, so any number of schedulers (processes) produce
 * exactly one job per organization and period.
 */
export class Scheduler {
  private lastTick = 0;
  constructor(
    private readonly ctx: AppContext,
    private readonly schedules: readonly Schedule[],
    private readonly tickMs = 15_000,
  ) {}

  async tick(force = false): Promise<number> {
    const now = this.ctx.clock.now();
    if (!force && now.getTime() - this.lastTick < this.tickMs) return 0;
    this.lastTick = now.getTime();
    if (this.schedules.length === 0) return 0;
    const orgs = await listOrgIds(this.ctx.db);
    let created = 0;
    for (const s of this.schedules) {
      const period = Math.floor(now.getTime() / s.everyMs);
      const periodStart = new Date(period * s.everyMs);
      for (const org of orgs) {
        const id = await enqueue(this.ctx.db, {
          orgId: org.id,
          type: s.jobType,
          payload: { scheduledFor: periodStart.toISOString() },
          runAt: periodStart,
          dedupeKey: `schedule:${s.jobType}:${periodStart.toISOString()}`,
          maxAttempts: 5,
        });
        if (id) created++;
      }
    }
    return created;
  }
}
