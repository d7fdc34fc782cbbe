import type { Actor, AppContext } from '../../context.js';
import { checkOutboundTarget, OutboundError } from '../../core/outbound-http.js';
import { newId } from '../../db/ids.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { isEventType } from '../../events/catalog.js';
import { attemptNow, envelope, kickDeliveries, ROTATION_OVERLAP_MS, secretSealer } from './webhooks.delivery.js';
import * as repo from './webhooks.repo.js';
import { newSecret } from './webhooks.signing.js';
import type { WebhookDeliveryStatus } from './webhooks.tables.js';
import { keysetPage } from '../../db/paging.js';

export const TEST_EVENT_TYPE = 'webhook.test';
/** Endpoints one organization may register. */
const MAX_ENDPOINTS = 50;

export interface EndpointView {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  previousSecretExpiresAt: string | null;
  failingSince: string | null;
  lastSuccessAt: string | null;
  lastFailureAt: string | null;
  deliveries: { pending: number; delivered: number; failed: number };
  createdAt: string;
  updatedAt: string;
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

function toView(r: repo.EndpointRow, counts: Partial<Record<WebhookDeliveryStatus, number>> = {}, now?: Date): EndpointView {
  const overlap = r.previous_secret_expires_at && (!now || r.previous_secret_expires_at > now) ? r.previous_secret_expires_at : null;
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    events: r.events,
    enabled: r.enabled,
    disabledReason: r.disabled_reason,
    disabledAt: iso(r.disabled_at),
    previousSecretExpiresAt: iso(overlap),
    failingSince: iso(r.failing_since),
    lastSuccessAt: iso(r.last_success_at),
    lastFailureAt: iso(r.last_failure_at),
    deliveries: { pending: counts.pending ?? 0, delivered: counts.delivered ?? 0, failed: counts.failed ?? 0 },
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

async function countsFor(ctx: AppContext, orgId: string, ids: string[]) {
  const rows = await repo.deliveryCounts(ctx.db, orgId, ids);
  const byEndpoint = new Map<string, Partial<Record<WebhookDeliveryStatus, number>>>();
  for (const r of rows) {
    const m = byEndpoint.get(r.endpoint_id) ?? {};
    m[r.status] = Number(r.n);
    byEndpoint.set(r.endpoint_id, m);
  }
  return byEndpoint;
}

async function viewOf(ctx: AppContext, row: repo.EndpointRow): Promise<EndpointView> {
  return toView(row, (await countsFor(ctx, row.org_id, [row.id])).get(row.id), ctx.clock.now());
}

/** Checks the URL Patron will call; a private target is refused with 422 unless the operator allows them. */
async function checkedUrl(ctx: AppContext, raw: string): Promise<string> {
  try {
    return (await checkOutboundTarget(raw.trim(), { allowPrivate: ctx.config.webhooksAllowPrivate })).href;
  } catch (err) {
    if (!(err instanceof OutboundError)) throw err;
    if (err.kind === 'private_address') {
      throw new AppError('RULE_REFUSED', `url ${err.message} (set PATRON_WEBHOOKS_ALLOW_PRIVATE=true on a self-hosted network); give a public https URL`, {
        field: 'url',
        fields: [{ field: 'url', problem: err.message }],
      });
    }
    throw AppError.validation('url', err.message);
  }
}

/** The event list: catalog types, or ["*"] for all; duplicates dropped. */
function checkedEvents(events: readonly string[]): string[] {
  if (events.length === 0) throw AppError.validation('events', 'give at least one event type, or ["*"] for every event');
  const unique = [...new Set(events)];
  if (unique.includes('*')) {
    if (unique.length > 1) throw AppError.validation('events', '"*" already means every event; give either ["*"] or a list of event types');
    return ['*'];
  }
  unique.forEach((e, i) => {
    if (!isEventType(e)) throw AppError.validation(`events[${i}]`, `"${e}" is not an event type; see GET /api/openapi.json (webhooks) or docs/events.md for the list`);
  });
  return unique;
}

function checkedDescription(description: string): string {
  const d = description.trim();
  if (d.length > 500) throw AppError.validation('description', 'must be at most 500 characters');
  return d;
}

export async function listEndpoints(ctx: AppContext, orgId: string): Promise<EndpointView[]> {
  const rows = await repo.listEndpoints(ctx.db, orgId);
  const counts = await countsFor(
    ctx,
    orgId,
    rows.map((r) => r.id),
  );
  const now = ctx.clock.now();
  return rows.map((r) => toView(r, counts.get(r.id), now));
}

async function endpointOrThrow(ctx: AppContext, orgId: string, id: string): Promise<repo.EndpointRow> {
  const row = await repo.getEndpoint(ctx.db, orgId, id);
  if (!row) throw AppError.notFound('Webhook endpoint', id);
  return row;
}

export async function getEndpoint(ctx: AppContext, orgId: string, id: string): Promise<EndpointView> {
  return viewOf(ctx, await endpointOrThrow(ctx, orgId, id));
}

export interface EndpointInput {
  url: string;
  events?: string[] | undefined;
  description?: string | undefined;
  enabled?: boolean | undefined;
}

/** Registers an endpoint; its signing secret is in this reply only. */
export async function createEndpoint(ctx: AppContext, orgId: string, input: EndpointInput, actor: Actor): Promise<{ endpoint: EndpointView; secret: string }> {
  const events = checkedEvents(input.events ?? ['*']);
  const description = checkedDescription(input.description ?? '');
  const url = await checkedUrl(ctx, input.url);
  const sealer = secretSealer(ctx);
  const secret = newSecret();
  const now = ctx.clock.now();
  const enabled = input.enabled ?? true;
  const row = await withTx(ctx.db, async (tx) => {
    const count = await repo.countEndpoints(tx, orgId);
    if (Number(count?.n ?? 0) >= MAX_ENDPOINTS) throw new AppError('RULE_REFUSED', `An organization can have at most ${MAX_ENDPOINTS} webhook endpoints; delete one first`, {});
    return repo.insertEndpoint(tx, {
      org_id: orgId,
      id: newId(now.getTime()),
      url,
      description,
      events,
      enabled,
      disabled_reason: enabled ? null : `Created disabled by ${actor.name}`,
      disabled_at: enabled ? null : now,
      secret_sealed: sealer.seal(secret),
      created_at: now,
      updated_at: now,
    });
  });
  return { endpoint: toView(row, {}, now), secret };
}

export async function updateEndpoint(ctx: AppContext, orgId: string, id: string, input: Partial<EndpointInput>, actor: Actor): Promise<EndpointView> {
  const events = input.events === undefined ? undefined : checkedEvents(input.events);
  const description = input.description === undefined ? undefined : checkedDescription(input.description);
  const url = input.url === undefined ? undefined : await checkedUrl(ctx, input.url);
  const now = ctx.clock.now();
  const row = await withTx(ctx.db, async (tx) => {
    const current = await repo.getEndpoint(tx, orgId, id, true);
    if (!current) throw AppError.notFound('Webhook endpoint', id);
    const changes: repo.EndpointChanges = { updated_at: now };
    if (url !== undefined) changes.url = url;
    if (events !== undefined) changes.events = events;
    if (description !== undefined) changes.description = description;
    if (input.enabled === true && !current.enabled) Object.assign(changes, { enabled: true, disabled_reason: null, disabled_at: null, failing_since: null });
    if (input.enabled === false && current.enabled) Object.assign(changes, { enabled: false, disabled_reason: `Disabled by ${actor.name}`, disabled_at: now });
    return (await repo.updateEndpoint(tx, orgId, id, changes))!;
  });
  // Deliveries that waited while the endpoint was disabled go out now.
  if (row.enabled) kickDeliveries(ctx, orgId);
  return viewOf(ctx, row);
}

export async function deleteEndpoint(ctx: AppContext, orgId: string, id: string): Promise<EndpointView> {
  const row = await repo.deleteEndpoint(ctx.db, orgId, id);
  if (!row) throw AppError.notFound('Webhook endpoint', id);
  return toView(row, {}, ctx.clock.now());
}

/** A new secret; the previous one keeps signing alongside it for 24 hours. The new secret is in this reply only. */
export async function rotateSecret(ctx: AppContext, orgId: string, id: string): Promise<{ endpoint: EndpointView; secret: string; previousSecretExpiresAt: string }> {
  const sealer = secretSealer(ctx);
  const secret = newSecret();
  const now = ctx.clock.now();
  const expires = new Date(now.getTime() + ROTATION_OVERLAP_MS);
  const row = await withTx(ctx.db, async (tx) => {
    const current = await repo.getEndpoint(tx, orgId, id, true);
    if (!current) throw AppError.notFound('Webhook endpoint', id);
    return (await repo.updateEndpoint(tx, orgId, id, {
      secret_sealed: sealer.seal(secret),
      previous_secret_sealed: current.secret_sealed,
      previous_secret_expires_at: expires,
      updated_at: now,
    }))!;
  });
  return { endpoint: await viewOf(ctx, row), secret, previousSecretExpiresAt: expires.toISOString() };
}

// ---------------------------------------------------------------------------------------
// Delivery log

export interface AttemptView {
  attempt: number;
  startedAt: string;
  durationMs: number;
  outcome: 'delivered' | 'failed';
  responseStatus: number | null;
  responseExcerpt: string | null;
  error: string | null;
  manual: boolean;
}

export interface DeliveryView {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  kind: 'event' | 'test';
  status: WebhookDeliveryStatus;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastResponseStatus: number | null;
  lastError: string | null;
  body: string;
  createdAt: string;
  deliveredAt: string | null;
  attempts: AttemptView[];
}

function toDeliveryView(d: repo.DeliveryRow, attempts: repo.AttemptRow[]): DeliveryView {
  return {
    id: d.id,
    endpointId: d.endpoint_id,
    eventId: d.event_id,
    eventType: d.event_type,
    kind: d.kind,
    status: d.status,
    attemptCount: d.attempts,
    nextAttemptAt: d.status === 'pending' ? d.next_attempt_at.toISOString() : null,
    lastResponseStatus: d.last_response_status,
    lastError: d.last_error,
    body: d.body,
    createdAt: d.created_at.toISOString(),
    deliveredAt: iso(d.delivered_at),
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      startedAt: a.started_at.toISOString(),
      durationMs: a.duration_ms,
      outcome: a.outcome,
      responseStatus: a.response_status,
      responseExcerpt: a.response_excerpt,
      error: a.error,
      manual: a.manual,
    })),
  };
}

export async function listDeliveries(
  ctx: AppContext,
  orgId: string,
  endpointId: string,
  opts: { status?: WebhookDeliveryStatus | undefined; limit: number; before: { createdAt: Date; id: string } | null },
): Promise<{ items: DeliveryView[]; next: { createdAt: string; id: string } | null }> {
  await endpointOrThrow(ctx, orgId, endpointId);
  const { page, next } = await keysetPage(
    opts.limit,
    (limit) => repo.listDeliveries(ctx.db, orgId, endpointId, { ...opts, limit }),
    (last) => ({ createdAt: last.created_at.toISOString(), id: last.id }),
  );
  const attempts = await repo.attemptsOf(
    ctx.db,
    orgId,
    page.map((r) => r.id),
  );
  const items = page.map((d) =>
    toDeliveryView(
      d,
      attempts.filter((a) => a.delivery_id === d.id),
    ),
  );
  return { items, next };
}

export async function getDelivery(ctx: AppContext, orgId: string, endpointId: string, id: string): Promise<DeliveryView> {
  const d = await repo.getDelivery(ctx.db, orgId, endpointId, id);
  if (!d) throw AppError.notFound('Webhook delivery', id);
  return toDeliveryView(d, await repo.attemptsOf(ctx.db, orgId, [id]));
}

/** Sends a delivery again now, whatever its state (same message id and body, newly signed); the retry schedule starts again. */
export async function redeliver(ctx: AppContext, orgId: string, endpointId: string, id: string): Promise<DeliveryView> {
  const endpoint = await endpointOrThrow(ctx, orgId, endpointId);
  const d = await repo.getDelivery(ctx.db, orgId, endpointId, id);
  if (!d) throw AppError.notFound('Webhook delivery', id);
  if (!endpoint.enabled && d.kind !== 'test') {
    throw new AppError('CONFLICT', 'The endpoint is disabled; enable it (PATCH enabled: true) before redelivering', { reason: endpoint.disabled_reason });
  }
  if (!(await attemptNow(ctx, orgId, endpointId, id))) throw new AppError('CONFLICT', 'This delivery is being sent right now; look at its log in a moment', { retryable: true });
  return getDelivery(ctx, orgId, endpointId, id);
}

/** Sends a `webhook.test` message to the endpoint now (also when it is disabled) and returns its delivery with the attempt. */
export async function sendTest(ctx: AppContext, orgId: string, endpointId: string): Promise<DeliveryView> {
  const endpoint = await endpointOrThrow(ctx, orgId, endpointId);
  const now = ctx.clock.now();
  const id = newId(now.getTime());
  await repo.insertDeliveries(ctx.db, [
    {
      org_id: orgId,
      id,
      endpoint_id: endpoint.id,
      event_id: id,
      event_type: TEST_EVENT_TYPE,
      kind: 'test',
      ordering_key: null,
      body: envelope(TEST_EVENT_TYPE, now, { endpointId: endpoint.id, message: 'A test message from Patron: this endpoint receives and verifies webhooks.' }),
      next_attempt_at: new Date(now.getTime() + 60_000),
      created_at: now,
      updated_at: now,
    },
  ]);
  await attemptNow(ctx, orgId, endpointId, id);
  return getDelivery(ctx, orgId, endpointId, id);
}
