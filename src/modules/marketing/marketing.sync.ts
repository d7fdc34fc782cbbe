import type { AppContext } from '../../context.js';
import { withTx, type Executor } from '../../db/tx.js';
import type { OutboxConsumer, StoredEvent } from '../../events/types.js';
import { enqueue, getJob, setJobProgress } from '../../jobs/queue.js';
import type { JobHelpers, JobRecord } from '../../jobs/worker.js';
import { ToolError, cleanMessage, type LoyaltyProfile, type MarketingProvider, type ToolTarget } from './marketing.http.js';
import { buildProfile, customerOf, LOYALTY_EVENT_NAMES, loyaltyEventProperties, PROFILE_EVENTS, skipReason } from './marketing.profile.js';
import { PROVIDERS, providerOf, targetOf, TOOLS } from './marketing.providers.js';
import * as repo from './marketing.repo.js';
import type { MarketingTool } from './marketing.tables.js';

export const SYNC_JOB = 'marketing.sync';
export const FIRST_SYNC_JOB = 'marketing.first-sync';
export const SWEEP_JOB = 'marketing.sweep';

/** Attempts of a retryable failure (network, 5xx) before the customer shows "failed". */
export const MAX_ATTEMPTS = 8;
/** How long one sync job keeps working before handing over to the next. */
const JOB_BUDGET_MS = 20_000;
const BATCH = 20;
const LEASE_MS = 120_000;

/** Delay before the next try after n failed attempts: 2^n seconds, capped at 30 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30 * 60_000, 1000 * 2 ** Math.max(1, attempts));
}

const toolArg = (payload: Record<string, unknown>): MarketingTool => {
  const tool = payload.tool;
  if (typeof tool !== 'string' || !(TOOLS as string[]).includes(tool)) throw new Error(`Unknown marketing tool "${String(tool)}"`);
  return tool as MarketingTool;
};

/**
 * Makes sure a sync job of the tool runs at `at` or earlier. A job already queued for then
 * is enough; a running one is not (it may have read the rows before this change).
 */
export async function scheduleSync(db: Executor, orgId: string, tool: MarketingTool, at: Date): Promise<void> {
  if (await repo.hasQueuedJob(db, orgId, SYNC_JOB, tool, at)) return;
  await enqueue(db, { orgId, type: SYNC_JOB, payload: { tool }, runAt: at, maxAttempts: 3 });
}

/**
 * The outbox consumer of one tool: marks the customer for a sync (coalesced: a burst of
 * changes is one profile update) and queues the loyalty events it sends, then makes sure a
 * sync job is due. It never calls the tool itself, so a slow tool never holds the outbox.
 */
export function marketingConsumer(tool: MarketingTool): OutboxConsumer {
  return {
    name: `marketing.${tool}`,
    events: PROFILE_EVENTS,
    maxAttempts: 20,
    activeOrgs: (ctx, orgIds) => repo.orgsWithEnabledConnection(ctx.db, tool, orgIds),
    async deliver(event: StoredEvent, ctx: AppContext) {
      const customerId = customerOf(event);
      if (!customerId) return;
      const conn = await repo.findConnection(ctx.db, event.orgId, tool);
      if (!conn || !conn.enabled) return;
      const name = LOYALTY_EVENT_NAMES[event.type];
      const properties = name ? await loyaltyEventProperties(ctx.db, event) : null;
      const now = ctx.clock.now();
      await withTx(ctx.db, async (tx) => {
        if (!(await repo.findCustomer(tx, event.orgId, customerId))) return;
        await repo.markDirty(tx, { orgId: event.orgId, tool, customerId }, now, event.type === 'customer.anonymized');
        if (name && properties) {
          await repo.insertEvent(tx, {
            org_id: event.orgId,
            tool,
            event_id: event.id,
            customer_id: customerId,
            name,
            properties: JSON.stringify(properties),
            occurred_at: event.createdAt,
            last_error: null,
            sent_at: null,
            created_at: now,
          });
        }
        await scheduleSync(tx, event.orgId, tool, now);
      });
    },
  };
}

export const marketingConsumers: readonly OutboxConsumer[] = PROVIDERS.map((p) => marketingConsumer(p.tool));

interface Outcome {
  ok: boolean;
  error: string | null;
}

/** Syncs one leased row: deletion of an anonymized customer, a skip, or the profile and its pending events. */
async function syncOne(ctx: AppContext, provider: MarketingProvider, target: ToolTarget, row: repo.SyncRow): Promise<Outcome> {
  const key = { orgId: row.org_id, tool: row.tool, customerId: row.customer_id };
  const seq = row.dirty_seq;
  const customer = await repo.findCustomer(ctx.db, row.org_id, row.customer_id);
  const now = () => ctx.clock.now();
  if (!customer) return { ok: true, error: null };
  try {
    if (row.erase || customer.anonymized_at) {
      await repo.dropPendingEvents(ctx.db, row.org_id, row.tool, row.customer_id);
      if (row.erased_at) return { ok: true, error: null };
      const done = await provider.erase(target, { customerId: customer.id, remoteId: row.remote_id });
      await repo.finishSync(ctx.db, key, seq, { state: 'skipped', reason: `The customer was anonymized. ${done}`, patch: { erase: true, erased_at: now(), remote_id: null, consent: null, consent_read_at: null } }, now());
      return { ok: true, error: null };
    }
    const skip = skipReason(customer);
    if (skip) {
      await repo.dropPendingEvents(ctx.db, row.org_id, row.tool, row.customer_id);
      await repo.finishSync(ctx.db, key, seq, { state: 'skipped', reason: skip }, now());
      return { ok: true, error: null };
    }
    const profile: LoyaltyProfile = await buildProfile(ctx, ctx.db, customer);
    const result = await provider.upsertProfile(target, profile, row.remote_id);
    let eventError: string | null = null;
    for (const e of await repo.pendingEvents(ctx.db, row.org_id, row.tool, row.customer_id)) {
      try {
        await provider.sendEvent(target, profile, { id: e.event_id, name: e.name, occurredAt: e.occurred_at, properties: e.properties });
        await repo.settleEvent(ctx.db, row.org_id, row.tool, e.event_id, { state: 'sent', sent_at: now(), attempts: e.attempts + 1, last_error: null });
      } catch (err) {
        if (!(err instanceof ToolError) || err.kind !== 'rejected') throw err;
        eventError = `Event "${e.name}" refused: ${err.message}`;
        await repo.settleEvent(ctx.db, row.org_id, row.tool, e.event_id, { state: 'failed', attempts: e.attempts + 1, last_error: err.message });
      }
    }
    const t = now();
    await repo.finishSync(
      ctx.db,
      key,
      seq,
      {
        state: 'synced',
        reason: eventError,
        patch: {
          remote_id: result.remoteId ?? row.remote_id,
          consent: result.consent ?? row.consent,
          consent_read_at: result.consent ? t : row.consent_read_at,
          last_synced_at: t,
        },
      },
      t,
    );
    return { ok: true, error: eventError };
  } catch (err) {
    if (err instanceof ToolError && err.kind === 'rate_limited') throw err;
    const message = err instanceof Error ? cleanMessage(err.message) : 'Unknown error';
    const final = !(err instanceof ToolError) || err.kind === 'rejected' || err.kind === 'auth' || row.attempts + 1 >= MAX_ATTEMPTS;
    if (final && err instanceof ToolError) {
      await repo.finishSync(ctx.db, key, seq, { state: 'failed', reason: message }, now());
    } else {
      const delay = err instanceof ToolError && err.retryAfterMs ? Math.max(err.retryAfterMs, 1000) : retryDelayMs(row.attempts + 1);
      if (!(err instanceof ToolError)) ctx.logger.error({ err, tool: row.tool, orgId: row.org_id, customerId: row.customer_id }, 'marketing sync error');
      await repo.retryLater(ctx.db, key, message, new Date(now().getTime() + delay), true, now());
    }
    return { ok: false, error: message };
  }
}

/**
 * The sync job of one organization and tool: leases due rows in batches and syncs them until
 * none is due (or its time budget is spent); a 429 puts every leased row back for the time
 * the tool asked. Whatever is still pending gets a job at its due time.
 */
export async function runSyncJob(ctx: AppContext, job: JobRecord): Promise<Record<string, unknown>> {
  const tool = toolArg(job.payload);
  const conn = await repo.findConnection(ctx.db, job.orgId, tool);
  if (!conn || !conn.enabled) return { skipped: 'not connected' };
  const provider = providerOf(tool);
  const target = targetOf(ctx, conn);
  const started = Date.now();
  let synced = 0;
  let failed = 0;
  let lastError: string | null = null;
  let rateLimited: string | null = null;
  while (Date.now() - started < JOB_BUDGET_MS && !rateLimited) {
    const now = ctx.clock.now();
    const rows = await repo.claimDue(ctx.db, job.orgId, tool, now, new Date(now.getTime() + LEASE_MS), BATCH);
    if (rows.length === 0) break;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      try {
        const r = await syncOne(ctx, provider, target, row);
        if (r.ok) synced++;
        else failed++;
        if (r.error) lastError = r.error;
      } catch (err) {
        if (!(err instanceof ToolError) || err.kind !== 'rate_limited') throw err;
        const retryAt = new Date(ctx.clock.now().getTime() + (err.retryAfterMs ?? 10_000));
        await repo.retryLater(ctx.db, { orgId: row.org_id, tool, customerId: row.customer_id }, `${err.message}; retrying after ${Math.ceil((err.retryAfterMs ?? 10_000) / 1000)} s`, retryAt, false, ctx.clock.now());
        await repo.release(ctx.db, job.orgId, tool, rows.slice(i + 1).map((r) => r.customer_id), retryAt);
        rateLimited = err.message;
        break;
      }
    }
  }
  const now = ctx.clock.now();
  if (synced > 0 || failed > 0 || rateLimited) {
    await repo.updateConnection(ctx.db, job.orgId, tool, {
      ...(lastError || rateLimited ? { last_error: lastError ?? rateLimited, last_error_at: now } : {}),
      ...(synced > 0 ? { last_success_at: now } : {}),
    });
  }
  const next = await repo.nextDueAt(ctx.db, job.orgId, tool);
  if (next) await scheduleSync(ctx.db, job.orgId, tool, next.getTime() > now.getTime() ? next : now);
  return { synced, failed, rateLimited: rateLimited !== null };
}

type FirstSyncState = {
  phase: 'importing' | 'done';
  submitted: number;
  completed: number;
  failed: number;
  imports: number;
  oneByOne: number;
  current?: { jobId: string; status: string; total: number; completed: number; failed: number } | undefined;
};

/** Delay between looks at a running bulk import: 1 s, growing to 10 s. */
const pollDelayMs = (polls: number) => Math.min(10_000, Math.round(1000 * 1.5 ** polls));

/**
 * The first sync of an organization with a tool: every customer gets a row; with a bulk
 * import (Klaviyo) the eligible ones are sent in imports of up to the tool's limits, the rest
 * go through the one-by-one sync. The job never waits for an import: it submits one and
 * hands over to a follow-up job that looks at it later (the worker stays free), carrying the
 * progress; the connection points at the latest job, whose progress the settings page shows.
 */
export async function runFirstSyncJob(ctx: AppContext, job: JobRecord, helpers: JobHelpers): Promise<Record<string, unknown>> {
  const tool = toolArg(job.payload);
  const conn = await repo.findConnection(ctx.db, job.orgId, tool);
  if (!conn || !conn.enabled) return { skipped: 'not connected' };
  const provider = providerOf(tool);
  const now = ctx.clock.now();
  if (!provider.bulk) {
    const queued = await repo.insertAllCustomers(ctx.db, job.orgId, tool, now, now);
    await scheduleSync(ctx.db, job.orgId, tool, now);
    await helpers.progress({ phase: 'done', queued });
    return { mode: 'one by one', queued };
  }
  const bulk = provider.bulk;
  const target = targetOf(ctx, conn);
  const p = job.payload as { bulkJobId?: string; batch?: [string, number][]; progress?: FirstSyncState; polls?: number };
  const progress: FirstSyncState = p.progress ?? { phase: 'importing', submitted: 0, completed: 0, failed: 0, imports: 0, oneByOne: 0 };
  const followUp = async (payload: Record<string, unknown>, at: Date) => {
    const id = await enqueue(ctx.db, { orgId: job.orgId, type: FIRST_SYNC_JOB, payload: { tool, ...payload }, runAt: at, maxAttempts: 8 });
    if (!id) return;
    // The follow-up carries the progress so far: the settings page reads it from the latest job.
    await setJobProgress(ctx.db, job.orgId, id, progress);
    await repo.updateConnection(ctx.db, job.orgId, tool, { first_sync_job_id: id });
  };

  if (p.bulkJobId && p.batch) {
    const polls = p.polls ?? 0;
    let status;
    try {
      status = await bulk.status(target, p.bulkJobId);
    } catch (err) {
      if (!(err instanceof ToolError) || (err.kind !== 'rate_limited' && err.kind !== 'retryable')) throw err;
      await followUp({ bulkJobId: p.bulkJobId, batch: p.batch, progress, polls: polls + 1 }, new Date(now.getTime() + Math.max(err.retryAfterMs ?? 0, pollDelayMs(polls))));
      await helpers.progress({ ...progress, waiting: err.message });
      return { waiting: err.message };
    }
    progress.current = { jobId: p.bulkJobId, ...status };
    if (status.status !== 'complete' && status.status !== 'cancelled') {
      await helpers.progress(progress);
      await followUp({ bulkJobId: p.bulkJobId, batch: p.batch, progress, polls: polls + 1 }, new Date(now.getTime() + pollDelayMs(polls)));
      return { importing: p.bulkJobId };
    }
    const ids = p.batch.map(([id]) => id);
    if (status.status === 'complete' && status.failed === 0) {
      for (const [customerId, seq] of p.batch) {
        await repo.finishSync(ctx.db, { orgId: job.orgId, tool, customerId }, seq, { state: 'synced', reason: null, patch: { last_synced_at: now } }, now);
      }
      progress.completed += ids.length;
    } else {
      // Which profiles failed is not worth guessing: the one-by-one sync retries them and records each error.
      progress.completed += status.completed;
      progress.failed += status.status === 'cancelled' ? ids.length - status.completed : status.failed;
      await repo.makeDue(ctx.db, job.orgId, tool, ids, now);
      await scheduleSync(ctx.db, job.orgId, tool, now);
    }
    progress.current = undefined;
  } else if (!p.progress) {
    await repo.insertAllCustomers(ctx.db, job.orgId, tool, null, now);
  }

  // The next import: eligible customers still waiting, up to the tool's limits.
  const rows = await repo.awaitingBulk(ctx.db, job.orgId, tool, '', bulk.maxProfiles);
  const customers = new Map((await repo.findCustomers(ctx.db, job.orgId, rows.map((r) => r.customer_id))).map((c) => [c.id, c]));
  const batch: { row: repo.SyncRow; profile: LoyaltyProfile }[] = [];
  const oneByOne: string[] = [];
  let bytes = 0;
  for (const r of rows) {
    const c = customers.get(r.customer_id);
    if (!c || skipReason(c) || r.erase) {
      oneByOne.push(r.customer_id);
      continue;
    }
    const profile = await buildProfile(ctx, ctx.db, c);
    const size = JSON.stringify(profile).length + 200;
    if (bytes + size > bulk.maxBytes) break;
    batch.push({ row: r, profile });
    bytes += size;
  }
  progress.oneByOne += oneByOne.length;
  await repo.makeDue(ctx.db, job.orgId, tool, oneByOne, now);
  if (oneByOne.length > 0) await scheduleSync(ctx.db, job.orgId, tool, now);
  if (batch.length === 0) {
    progress.phase = 'done';
    await helpers.progress(progress);
    await scheduleSync(ctx.db, job.orgId, tool, now);
    return { ...progress };
  }
  const bulkJobId = await bulk.start(target, batch.map((b) => b.profile));
  progress.imports++;
  progress.submitted += batch.length;
  progress.current = { jobId: bulkJobId, status: 'queued', total: batch.length, completed: 0, failed: 0 };
  await helpers.progress(progress);
  await followUp({ bulkJobId, batch: batch.map((b) => [b.row.customer_id, b.row.dirty_seq]), progress, polls: 0 }, new Date(now.getTime() + pollDelayMs(0)));
  return { submitted: batch.length, bulkJobId };
}

/**
 * Every minute: customers whose profile was edited since their last sync are marked (a
 * profile edit emits no event), and a tool with due rows but no queued job gets one.
 */
export async function runSweepJob(ctx: AppContext, job: JobRecord): Promise<Record<string, unknown>> {
  const out: Record<string, number> = {};
  for (const conn of await repo.listConnections(ctx.db, job.orgId)) {
    if (!conn.enabled) continue;
    const now = ctx.clock.now();
    out[conn.tool] = await repo.markEditedSinceSync(ctx.db, job.orgId, conn.tool, now);
    // Rows still waiting for a bulk import whose job ended (dead) go through the one-by-one sync.
    const first = conn.first_sync_job_id ? await getJob(ctx.db, job.orgId, conn.first_sync_job_id) : undefined;
    if (!first || first.status === 'dead') await repo.makeAllAwaitingDue(ctx.db, job.orgId, conn.tool, now);
    const next = await repo.nextDueAt(ctx.db, job.orgId, conn.tool);
    if (next) await scheduleSync(ctx.db, job.orgId, conn.tool, next.getTime() > now.getTime() ? next : now);
  }
  return out;
}
