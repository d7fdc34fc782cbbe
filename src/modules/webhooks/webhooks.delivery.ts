import type { AppContext } from '../../context.js';
import { createSealer, type Sealer } from '../../core/sealing.js';
import { DEFAULT_TIMEOUT_MS, OutboundError, outboundRequest, type OutboundResponse } from '../../core/outbound-http.js';
import { newId } from '../../db/ids.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import type { OutboxConsumer, StoredEvent } from '../../events/types.js';
import { enqueue } from '../../jobs/queue.js';
import * as repo from './webhooks.repo.js';
import { signedHeaders } from './webhooks.signing.js';

export const SEND_JOB = 'webhooks.send';
export const WEBHOOKS_CONSUMER = 'webhooks';

/**
 * Delays before the 2nd ... 8th attempt of a delivery (each varied by ±20% jitter): the
 * first attempt is immediate, the last about 24 hours later. After the 8th failed attempt
 * the delivery is marked failed.
 */
export const RETRY_DELAYS_MS: readonly number[] = [10_000, 60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 6 * 3600_000, 15 * 3600_000];
/** An endpoint whose every attempt failed for this long is disabled. */
export const FAILING_DISABLE_MS = 24 * 3600_000;
/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_MS = 24 * 3600_000;
/** Longest wait a `Retry-After` can ask for. */
const MAX_RETRY_AFTER_MS = 24 * 3600_000;
/** A claimed delivery is leased this long (longer than the 15 s time limit of a call). */
const LEASE_MS = 2 * 60_000;
const EXCERPT_CHARS = 1000;

export function retryDelayMs(step: number, random: () => number = Math.random): number | null {
  const base = RETRY_DELAYS_MS[step - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + random() * 0.4));
}

/** Seals and opens endpoint secrets; refuses when no encryption key is configured. */
export function secretSealer(ctx: AppContext): Sealer {
  const key = ctx.config.encryptionKey;
  if (!key) {
    throw new AppError('RULE_REFUSED', 'Set PATRON_ENCRYPTION_KEY (32+ characters, kept secret and stable) to store webhook signing secrets; it is required with DATABASE_URL', {
      field: 'PATRON_ENCRYPTION_KEY',
    });
  }
  return createSealer(key, 'webhook endpoint secrets');
}

/** The JSON body of a message: the Standard Webhooks envelope. */
export function envelope(type: string, timestamp: Date, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: timestamp.toISOString(), data });
}

/** The customer an event is about (one customer's messages reach an endpoint in order). */
function orderingKey(payload: Record<string, unknown>): string | null {
  const key = payload.customerId ?? payload.referrerCustomerId;
  return typeof key === 'string' ? key : null;
}

export function subscribes(events: readonly string[], type: string): boolean {
  return events.includes('*') || events.includes(type);
}

/**
 * Writes one delivery per enabled endpoint subscribed to the event, in one transaction;
 * a repeated fan-out of the same event (the outbox delivers at least once) adds nothing.
 * Only endpoints that existed when the event happened receive it. Returns how many endpoints
 * the event goes to.
 */
export async function fanOut(ctx: AppContext, event: StoredEvent): Promise<number> {
  // An endpoint receives the events that happened once it existed, never an older backlog.
  const endpoints = (await repo.enabledEndpoints(ctx.db, event.orgId, event.createdAt)).filter((e) => subscribes(e.events, event.type));
  if (endpoints.length === 0) return 0;
  const now = ctx.clock.now();
  const payload = event.payload as Record<string, unknown>;
  const body = envelope(event.type, event.createdAt, payload);
  await withTx(ctx.db, (tx) =>
    repo.insertDeliveries(
      tx,
      endpoints.map((e) => ({
        org_id: event.orgId,
        id: newId(now.getTime()),
        endpoint_id: e.id,
        event_id: event.id,
        event_type: event.type,
        kind: 'event' as const,
        ordering_key: orderingKey(payload),
        body,
        next_attempt_at: now,
        created_at: now,
        updated_at: now,
      })),
    ),
  );
  return endpoints.length;
}

/** The outbox consumer: fans each committed event out to the endpoints, then starts sending at once. */
export const webhooksConsumer: OutboxConsumer = {
  name: WEBHOOKS_CONSUMER,
  events: '*',
  activeOrgs: (ctx, orgIds) => repo.orgsWithEnabledEndpoints(ctx.db, orgIds),
  async deliver(event, ctx) {
    if ((await fanOut(ctx, event)) > 0) kickDeliveries(ctx, event.orgId);
  },
};

// ---------------------------------------------------------------------------------------
// Sending

function secretsFor(ctx: AppContext, d: repo.ClaimedDelivery, now: Date): string[] {
  const sealer = secretSealer(ctx);
  const secrets = [sealer.open(d.secret_sealed)];
  if (d.previous_secret_sealed && d.previous_secret_expires_at && d.previous_secret_expires_at > now) secrets.push(sealer.open(d.previous_secret_sealed));
  return secrets;
}

/** Sends one leased delivery and records the attempt, the delivery's next step and the endpoint's health. */
export async function attempt(ctx: AppContext, d: repo.ClaimedDelivery, manual: boolean): Promise<void> {
  const startedAt = ctx.clock.now();
  const t0 = performance.now();
  let reply: OutboundResponse | null = null;
  let error: string | null = null;
  try {
    // The signature's timestamp is the real time of sending: receivers compare it with their own clock.
    const headers = signedHeaders(secretsFor(ctx, d, startedAt), d.event_id, Math.floor(Date.now() / 1000), d.body);
    reply = await outboundRequest({
      url: d.url,
      method: 'POST',
      body: d.body,
      headers: { 'content-type': 'application/json', ...headers },
      allowPrivate: ctx.config.webhooksAllowPrivate,
      timeoutMs: DEFAULT_TIMEOUT_MS,
      maxBodyBytes: 64 * 1024,
      excerptChars: EXCERPT_CHARS,
    });
  } catch (err) {
    if (err instanceof OutboundError) error = err.message;
    else if (err instanceof AppError) error = err.message;
    else error = `The signing secret could not be read (was PATRON_ENCRYPTION_KEY changed?): ${err instanceof Error ? err.message : String(err)}`;
  }
  const durationMs = reply?.durationMs ?? Math.round(performance.now() - t0);
  const now = ctx.clock.now();
  const status = reply?.status ?? null;
  const ok = status !== null && status >= 200 && status < 300;
  if (!ok && error === null) error = `The endpoint answered HTTP ${status}`;

  let nextAt: Date | null = null;
  await withTx(ctx.db, async (tx) => {
    const logged = await repo.insertAttempt(tx, d, {
      startedAt,
      durationMs,
      outcome: ok ? 'delivered' : 'failed',
      responseStatus: status,
      responseExcerpt: reply ? reply.excerpt : null,
      error: ok ? null : error,
      manual,
    });
    if (!logged) return; // the endpoint was deleted meanwhile
    if (ok) {
      await repo.finishAttempt(tx, d.org_id, d.id, { status: 'delivered', retry_step: 0, last_response_status: status, last_error: null, delivered_at: now, updated_at: now });
      await repo.endpointSucceeded(tx, d.org_id, d.endpoint_id, now);
      return;
    }
    const step = d.retry_step + 1;
    if (status === 410) {
      await repo.finishAttempt(tx, d.org_id, d.id, { status: 'failed', retry_step: step, last_response_status: status, last_error: error, updated_at: now });
      await repo.disableEndpoint(
        tx,
        d.org_id,
        d.endpoint_id,
        `The endpoint answered 410 Gone on ${now.toISOString()}: the receiver asked for no more webhooks. Check the URL, then enable the endpoint again.`,
        now,
      );
      return;
    }
    let delay = retryDelayMs(step);
    if ((status === 429 || status === 503) && reply?.retryAfterMs != null && delay !== null) delay = Math.min(Math.max(reply.retryAfterMs, 1000), MAX_RETRY_AFTER_MS);
    if (delay === null) {
      await repo.finishAttempt(tx, d.org_id, d.id, { status: 'failed', retry_step: step, last_response_status: status, last_error: error, updated_at: now });
    } else {
      nextAt = new Date(now.getTime() + delay);
      await repo.finishAttempt(tx, d.org_id, d.id, { status: 'pending', retry_step: step, next_attempt_at: nextAt, last_response_status: status, last_error: error, updated_at: now });
      // A job wakes a worker for the retry (any process, after a restart too).
      await enqueue(tx, { orgId: d.org_id, type: SEND_JOB, runAt: nextAt, payload: { reason: 'retry' } });
    }
    const health = await repo.endpointFailed(tx, d.org_id, d.endpoint_id, now);
    if (health?.enabled && health.failing_since && now.getTime() - health.failing_since.getTime() >= FAILING_DISABLE_MS) {
      await repo.disableEndpoint(
        tx,
        d.org_id,
        d.endpoint_id,
        `Every delivery failed for 24 hours (since ${health.failing_since.toISOString()}); last error: ${error}. Fix the receiver, then enable the endpoint again.`,
        now,
      );
    }
  });
  if (!ok) ctx.logger.info({ orgId: d.org_id, endpointId: d.endpoint_id, deliveryId: d.id, attempt: d.attempts, status, retryAt: nextAt }, 'webhook delivery failed');
}

/** Sends every due delivery (of one organization, or all), batch after batch; returns how many attempts were made. */
export async function sendDue(ctx: AppContext, opts: { orgId?: string; maxRounds?: number } = {}): Promise<number> {
  let total = 0;
  for (let round = 0; round < (opts.maxRounds ?? 100); round++) {
    const now = ctx.clock.now();
    const claimed = await repo.claimDue(ctx.db, { now, leaseUntil: new Date(now.getTime() + LEASE_MS), limit: 20, orgId: opts.orgId });
    if (claimed.length === 0) break;
    await Promise.all(claimed.map((d) => attempt(ctx, d, false)));
    total += claimed.length;
  }
  return total;
}

/** Attempts one delivery now (redelivery, test message); null when another attempt holds it. */
export async function attemptNow(ctx: AppContext, orgId: string, endpointId: string, deliveryId: string): Promise<boolean> {
  const now = ctx.clock.now();
  const d = await repo.claimForManualAttempt(ctx.db, orgId, endpointId, deliveryId, now, new Date(now.getTime() + LEASE_MS));
  if (!d) return false;
  await attempt(ctx, d, true);
  return true;
}

// In this process: sends started right after a fan-out, so a committed event reaches its
// endpoints without waiting for a worker's poll. Jobs (retries, the periodic sweep) cover
// anything a stopped process left behind.
const running = new Map<string, { again: boolean }>();
const inflight = new Set<Promise<void>>();

export function kickDeliveries(ctx: AppContext, orgId: string): void {
  const current = running.get(orgId);
  if (current) {
    current.again = true;
    return;
  }
  const state = { again: true };
  running.set(orgId, state);
  const loop = async (): Promise<void> => {
    while (state.again) {
      state.again = false;
      await sendDue(ctx, { orgId });
    }
  };
  const run: Promise<void> = loop()
    .catch((err: unknown) => {
      ctx.logger.warn({ orgId, err: err instanceof Error ? err.message : String(err) }, 'webhook sending stopped; the next sweep resumes it');
    })
    .finally(() => {
      running.delete(orgId);
      inflight.delete(run);
    });
  inflight.add(run);
}

/** Resolves when the sends this process started have finished (tests, shutdown). */
export async function deliveriesSettled(): Promise<void> {
  while (inflight.size > 0) await Promise.all([...inflight]);
}
