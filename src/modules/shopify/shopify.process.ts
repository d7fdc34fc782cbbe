import type { Actor, AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import type { JobRecord } from '../../jobs/worker.js';
import { customerUpsertSchema, findCustomerByExternalId, upsertCustomer, type CustomerUpsert } from '../customers/index.js';
import { findOrderByExternalId, getOrder, recordOrder, refundOrder } from '../orders/index.js';
import { anonymizeCustomer } from '../privacy/index.js';
import { markUninstalled } from './shopify.connection.js';
import { LosslessJsonError, parseLosslessJson } from './lossless-json.js';
import { mapCustomer, mapOrder, mapRefund, MappingError, objectOf, idOf, type Obj } from './shopify.mapping.js';
import * as repo from './shopify.repo.js';
import { shopifyActor } from './shopify.webhooks.js';
import type { WebhookRow } from './shopify.repo.js';


type Outcome = Record<string, unknown>;

/** A failure that retrying the same body cannot fix: kept as failed without further attempts. */
class PermanentFailure extends Error {}

/** Fields Patron's customer rules refuse are left out (and named in the outcome) instead of failing the sync. */
function validCustomerInput(mapped: ReturnType<typeof mapCustomer>): { input: CustomerUpsert; ignored: string[] } {
  const input: Record<string, unknown> = { ...mapped };
  const ignored: string[] = [];
  for (;;) {
    const parsed = customerUpsertSchema.safeParse(input);
    if (parsed.success) return { input: parsed.data, ignored };
    const field = String(parsed.error.issues[0]?.path[0] ?? '');
    if (!field || field === 'externalId' || !(field in input)) throw new PermanentFailure(`customer: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    delete input[field];
    ignored.push(field);
  }
}

async function syncCustomer(ctx: AppContext, orgId: string, actor: Actor, c: Obj): Promise<{ customerId: string; created: boolean; ignoredFields: string[] }> {
  const { input, ignored } = validCustomerInput(mapCustomer(c));
  const r = await upsertCustomer(ctx, orgId, input, actor);
  return { customerId: r.customer.id, created: r.created, ignoredFields: ignored };
}

async function onCustomer(ctx: AppContext, orgId: string, actor: Actor, body: Obj): Promise<Outcome> {
  return syncCustomer(ctx, orgId, actor, body);
}

/** A customer deleted in the store no longer has an account there; Patron keeps them and their history. */
async function onCustomerDeleted(ctx: AppContext, orgId: string, actor: Actor, body: Obj): Promise<Outcome> {
  const externalId = idOf(body.id);
  if (!externalId) throw new PermanentFailure('customer.id is missing or not an id');
  const existing = await findCustomerByExternalId(ctx.db, orgId, externalId);
  if (!existing) return { skipped: 'no Patron customer has this Shopify id' };
  if (existing.anonymized_at) return { customerId: existing.id, skipped: 'the customer was anonymized' };
  await upsertCustomer(ctx, orgId, { externalId, accountState: 'guest' }, actor);
  return { customerId: existing.id, accountState: 'guest' };
}

async function onOrder(ctx: AppContext, orgId: string, actor: Actor, topic: string, body: Obj): Promise<Outcome> {
  const order = mapOrder(body, topic);
  if (!order.customer) return { orderExternalId: order.externalId, skipped: 'the order has no customer (guest checkout without an email)' };
  const customer = await syncCustomer(ctx, orgId, actor, order.customer);
  const r = await recordOrder(
    ctx,
    orgId,
    {
      externalId: order.externalId,
      customerId: customer.customerId,
      total: order.total,
      eligibleAmount: order.eligibleAmount,
      status: order.status,
      discountCodes: order.discountCodes,
      placedAt: order.placedAt,
    },
    actor,
  );
  return { orderId: r.order.id, orderName: order.name, customerId: customer.customerId, status: r.order.status, pointsEarned: r.order.pointsEarned, created: r.created };
}

class OrderNotYetReceived extends Error {}

async function onRefund(ctx: AppContext, orgId: string, actor: Actor, body: Obj): Promise<Outcome> {
  const refund = mapRefund(body);
  const order = await findOrderByExternalId(ctx.db, orgId, refund.orderExternalId);
  if (!order) throw new OrderNotYetReceived(`Order ${refund.orderExternalId} has not been received yet; the refund is retried until it arrives`);
  if (!refund.eligibleRefunded) return { orderId: order.id, refundId: refund.refundId, skipped: 'no line item was refunded (shipping, tax or an adjustment only): no points change' };
  if ((await getOrder(ctx, orgId, order.id)).status === 'cancelled') return { orderId: order.id, refundId: refund.refundId, skipped: 'the order was cancelled: its points were already reversed' };
  const r = await refundOrder(
    ctx,
    orgId,
    order.id,
    { amount: refund.eligibleRefunded, refundId: `shopify:${refund.refundId}`, reason: `Shopify refund ${refund.refundId}` },
    actor,
  );
  return { orderId: order.id, refundId: refund.refundId, amount: r.refund.amount.amount, pointsReversed: r.refund.pointsReversed, created: r.created };
}

/** `customers/redact`: the customer asked the store to erase them; Patron anonymizes them. */
async function onCustomerRedact(ctx: AppContext, orgId: string, actor: Actor, body: Obj): Promise<Outcome> {
  const externalId = idOf(objectOf(body.customer).id);
  if (!externalId) throw new PermanentFailure('customer.id is missing or not an id');
  const c = await findCustomerByExternalId(ctx.db, orgId, externalId);
  if (!c) return { skipped: 'no Patron customer has this Shopify id' };
  if (c.anonymized_at) return { customerId: c.id, skipped: 'already anonymized' };
  await anonymizeCustomer(ctx, orgId, c.id, c.email ?? c.id, actor);
  return { customerId: c.id, anonymized: true };
}

/** `customers/data_request`: recorded; staff answer it with the customer's data export. */
async function onDataRequest(ctx: AppContext, orgId: string, body: Obj): Promise<Outcome> {
  const externalId = idOf(objectOf(body.customer).id);
  const c = externalId ? await findCustomerByExternalId(ctx.db, orgId, externalId) : undefined;
  if (!c) return { skipped: 'no Patron customer has this Shopify id' };
  return { customerId: c.id, exportWith: `GET /api/v1/customers/${c.id}/export.json` };
}

async function apply(ctx: AppContext, row: WebhookRow): Promise<Outcome> {
  let parsed;
  try {
    parsed = parseLosslessJson(row.body);
  } catch (err) {
    if (err instanceof LosslessJsonError) throw new PermanentFailure(`The body is not JSON: ${err.message}`);
    throw err;
  }
  const body = objectOf(parsed);
  const actor = shopifyActor(row.shop_domain);
  switch (row.topic) {
    case 'customers/create':
    case 'customers/update':
      return onCustomer(ctx, row.org_id, actor, body);
    case 'customers/delete':
      return onCustomerDeleted(ctx, row.org_id, actor, body);
    case 'orders/create':
    case 'orders/paid':
    case 'orders/fulfilled':
    case 'orders/cancelled':
      return onOrder(ctx, row.org_id, actor, row.topic, body);
    case 'refunds/create':
      return onRefund(ctx, row.org_id, actor, body);
    case 'customers/redact':
      return onCustomerRedact(ctx, row.org_id, actor, body);
    case 'customers/data_request':
      return onDataRequest(ctx, row.org_id, body);
    case 'app/uninstalled':
      await markUninstalled(ctx, row.org_id, ctx.clock.now());
      return { uninstalled: true };
    default:
      return { skipped: `Patron does not act on ${row.topic}` };
  }
}

function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentFailure || err instanceof MappingError) return true;
  return err instanceof AppError && (err.code === 'VALIDATION_FAILED' || err.code === 'RULE_REFUSED' || err.code === 'CONFLICT' || err.code === 'NOT_FOUND');
}

/**
 * The job for one stored delivery. Success marks it processed with its outcome. A failure
 * is recorded on the delivery (status failed, the error, attempts); the job is retried
 * with backoff unless retrying the same body cannot help (a mapping error, a refused
 * rule), which then waits for staff (`POST .../webhooks/{id}/retry`).
 */
export async function processWebhookJob(ctx: AppContext, job: JobRecord): Promise<Outcome> {
  const id = typeof job.payload.webhookId === 'string' ? job.payload.webhookId : '';
  const row = await repo.findWebhook(ctx.db, job.orgId, id);
  if (!row) return { skipped: 'the delivery no longer exists' };
  if (row.status === 'processed') return { skipped: 'already processed' };
  try {
    const outcome = await apply(ctx, row);
    await repo.updateWebhook(ctx.db, row.org_id, row.id, {
      status: 'processed',
      attempts: row.attempts + 1,
      error: null,
      result: JSON.stringify(outcome),
      processed_at: ctx.clock.now(),
    });
    return outcome;
  } catch (err) {
    const anonymized = err instanceof AppError && err.code === 'CUSTOMER_ANONYMIZED';
    const message = err instanceof Error ? err.message : String(err);
    await repo.updateWebhook(ctx.db, row.org_id, row.id, {
      status: anonymized ? 'processed' : 'failed',
      attempts: row.attempts + 1,
      error: anonymized ? null : message.slice(0, 2000),
      result: anonymized ? JSON.stringify({ skipped: 'the customer was anonymized' }) : null,
      processed_at: anonymized ? ctx.clock.now() : null,
    });
    if (anonymized) return { skipped: 'the customer was anonymized' };
    if (isPermanent(err) && !(err instanceof OrderNotYetReceived)) return { failed: message };
    throw err;
  }
}
