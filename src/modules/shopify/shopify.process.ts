import type { Actor, AppContext } from '../../context.js';
import { AppError } from '../../errors.js';
import type { JobRecord } from '../../jobs/worker.js';
import { customerUpsertSchema, findCustomerByExternalId, upsertCustomer, type CustomerUpsert } from '../customers/index.js';
import { findOrderByExternalId, getOrder, recordOrder, refundOrder } from '../orders/index.js';
import { formatMoney, parseMoney } from '../../core/money.js';
import { newId } from '../../db/ids.js';
import { anonymizeCustomer, anonymizeCustomers, exportCustomer, type ErasureTarget } from '../privacy/index.js';
import { markUninstalled } from './shopify.connection.js';
import { LosslessJsonError, parseLosslessJson } from './lossless-json.js';
import { mapCustomer, mapOrder, mapRefund, mapShopifyAccount, MappingError, objectOf, idOf, type Obj } from './shopify.mapping.js';
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

/** The delivery being applied (or the backfill), recorded on the customer's Shopify card. */
export interface SyncSource {
  webhookId: string | null;
  topic: string | null;
  at: Date;
  customerAccounts: string | null;
}

/** Upserts the Patron customer, then the store's view of them (account state, consent, tags, last sync). */
export async function syncCustomer(
  ctx: AppContext,
  orgId: string,
  actor: Actor,
  c: Obj,
  source: SyncSource,
): Promise<{ customerId: string; created: boolean; ignoredFields: string[] }> {
  const mapped = mapCustomer(c);
  const { input, ignored } = validCustomerInput(mapped);
  const r = await upsertCustomer(ctx, orgId, input, actor);
  const account = mapShopifyAccount(c);
  const fields = {
    ...('accountState' in account ? { account_state: account.accountState ?? null } : {}),
    ...('verifiedEmail' in account ? { verified_email: account.verifiedEmail ?? null } : {}),
    ...('emailMarketingState' in account
      ? { email_marketing_state: account.emailMarketingState ?? null, email_marketing_opt_in_level: account.emailMarketingOptInLevel ?? null, email_marketing_updated_at: account.emailMarketingUpdatedAt ?? null }
      : {}),
    ...('smsMarketingState' in account ? { sms_marketing_state: account.smsMarketingState ?? null } : {}),
    ...(account.tags ? { tags: account.tags } : {}),
  };
  await repo.upsertShopifyCustomer(ctx.db, {
    org_id: orgId,
    customer_id: r.customer.id,
    shopify_id: mapped.externalId,
    ...fields,
    customer_accounts: source.customerAccounts,
    last_synced_at: ctx.clock.now(),
    ...(source.webhookId ? { last_webhook_id: source.webhookId, last_webhook_topic: source.topic, last_webhook_at: source.at } : {}),
  });
  return { customerId: r.customer.id, created: r.created, ignoredFields: ignored };
}

async function onCustomer(ctx: AppContext, orgId: string, actor: Actor, body: Obj, source: SyncSource): Promise<Outcome> {
  return syncCustomer(ctx, orgId, actor, body, source);
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

export async function onOrder(ctx: AppContext, orgId: string, actor: Actor, topic: string, body: Obj, source: SyncSource, noEarnReason?: string): Promise<Outcome> {
  const order = mapOrder(body, topic);
  if (!order.customer) return { orderExternalId: order.externalId, skipped: 'the order has no customer (guest checkout without an email)' };
  const customer = await syncCustomer(ctx, orgId, actor, order.customer, source);
  const r = await recordOrder(
    ctx,
    orgId,
    {
      externalId: order.externalId,
      ...(order.name ? { number: order.name.slice(0, 100) } : {}),
      ...(noEarnReason ? { noEarnReason } : {}),
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
  const view = await getOrder(ctx, orgId, order.id);
  if (view.status === 'cancelled') return { orderId: order.id, refundId: refund.refundId, skipped: 'the order was cancelled: its points were already reversed' };
  const currency = view.total.currency;
  if (refund.eligibleRefunded.currency !== currency) throw new PermanentFailure(`refund_line_items are in ${refund.eligibleRefunded.currency}, the order in ${currency}`);
  // What is left to refund on the order bounds both amounts (a Shopify total can differ from Patron's by rounding).
  const refundable = parseMoney(view.total.amount, currency) - parseMoney(view.refunded.amount, currency);
  const eligibleLeft = parseMoney(view.eligibleAmount.amount, currency) - parseMoney(view.eligibleRefunded.amount, currency);
  const eligible = minBig(parseMoney(refund.eligibleRefunded.amount, currency), eligibleLeft);
  const paid = refund.moneyRefunded && refund.moneyRefunded.currency === currency ? parseMoney(refund.moneyRefunded.amount, currency) : parseMoney(refund.eligibleRefunded.amount, currency);
  const amount = minBig(paid > 0n ? paid : parseMoney(refund.eligibleRefunded.amount, currency), refundable);
  if (amount <= 0n) return { orderId: order.id, refundId: refund.refundId, skipped: 'the order was already refunded in full' };
  const r = await refundOrder(
    ctx,
    orgId,
    order.id,
    {
      amount: { amount: formatMoney(amount, currency), currency },
      eligibleAmount: { amount: formatMoney(eligible < 0n ? 0n : eligible, currency), currency },
      refundId: `shopify:${refund.refundId}`,
      reason: `Shopify refund ${refund.refundId}`,
    },
    actor,
  );
  return {
    orderId: order.id,
    refundId: refund.refundId,
    amount: r.refund.amount.amount,
    eligibleAmount: r.refund.eligibleAmount?.amount ?? null,
    pointsReversed: r.refund.pointsReversed,
    created: r.created,
  };
}

const minBig = (a: bigint, b: bigint) => (a < b ? a : b);

/** `customers/redact`: the customer asked the store to erase them; Patron anonymizes them. */
async function onCustomerRedact(ctx: AppContext, orgId: string, actor: Actor, body: Obj): Promise<Outcome> {
  const externalId = idOf(objectOf(body.customer).id);
  if (!externalId) throw new PermanentFailure('customer.id is missing or not an id');
  const c = await findCustomerByExternalId(ctx.db, orgId, externalId);
  if (!c) return { skipped: 'no Patron customer has this Shopify id' };
  await repo.deleteShopifyCustomer(ctx.db, orgId, c.id);
  if (c.anonymized_at) return { customerId: c.id, skipped: 'already anonymized' };
  await anonymizeCustomer(ctx, orgId, c.id, c.email ?? c.id, actor);
  return { customerId: c.id, anonymized: true };
}

/**
 * `shop/redact` (48 hours after the app was uninstalled): every customer the store synced
 * is anonymized the way privacy erasure does it, a page of 100 at a time in one batch
 * erasure (the organization's text columns are scanned once per page, not once per
 * customer), their Shopify cards are deleted and the stored delivery bodies are cleared.
 * Ledger amounts and report totals stay.
 */
async function onShopRedact(ctx: AppContext, row: WebhookRow, actor: Actor): Promise<Outcome> {
  const orgId = row.org_id;
  let anonymized = 0;
  let already = 0;
  for (;;) {
    // Each page's cards are deleted below, so the next page starts from the beginning again.
    const page = await repo.shopCustomerIds(ctx.db, orgId, null, 100);
    if (page.length === 0) break;
    const targets: ErasureTarget[] = [];
    for (const { customer_id } of page) {
      const c = await repo.customerBasics(ctx.db, orgId, customer_id);
      if (c && !c.anonymized_at) targets.push({ customerId: c.id, confirmEmail: c.email ?? c.id });
      else if (c) already += 1;
    }
    for (const outcome of await anonymizeCustomers(ctx, orgId, targets, actor)) {
      if (outcome.status === 'anonymized') anonymized += 1;
      else if (outcome.status === 'already_anonymized') already += 1;
    }
    for (const { customer_id } of page) await repo.deleteShopifyCustomer(ctx.db, orgId, customer_id);
  }
  const cleared = await repo.clearWebhookBodies(ctx.db, orgId, row.id);
  return { anonymized, alreadyAnonymized: already, deliveriesCleared: cleared };
}

/**
 * `customers/data_request`: Patron prepares the customer's data export (the same file as
 * GET /api/v1/customers/{id}/export.json) and keeps it for staff to download and send to
 * the store owner; once per delivery.
 */
async function onDataRequest(ctx: AppContext, row: WebhookRow, actor: Actor, body: Obj): Promise<Outcome> {
  const orgId = row.org_id;
  const externalId = idOf(objectOf(body.customer).id);
  const requestId = idOf(objectOf(body.data_request).id);
  const existing = await repo.findDataRequestByWebhook(ctx.db, orgId, row.id);
  const c = externalId ? await findCustomerByExternalId(ctx.db, orgId, externalId) : undefined;
  const now = ctx.clock.now();
  const request =
    existing ??
    (await repo.insertDataRequestIfNew(ctx.db, {
      org_id: orgId,
      id: newId(now.getTime()),
      request_id: requestId,
      shopify_customer_id: externalId,
      customer_id: c?.id ?? null,
      webhook_id: row.id,
      status: 'pending',
      error: null,
      file_name: null,
      file: null,
      created_at: now,
      completed_at: null,
    }))!;
  if (request.status !== 'pending') return { dataRequestId: request.id, status: request.status };
  if (!c) {
    await repo.updateDataRequest(ctx.db, orgId, request.id, { status: 'no_customer', error: 'Patron holds no customer with this Shopify id: there is no data to send', completed_at: now });
    return { dataRequestId: request.id, status: 'no_customer' };
  }
  const file = await exportCustomer(ctx, orgId, c.id, actor);
  await repo.updateDataRequest(ctx.db, orgId, request.id, {
    status: 'ready',
    file: JSON.stringify(file),
    file_name: `customer-${c.id}-data-request-${requestId ?? request.id}.json`,
    completed_at: ctx.clock.now(),
  });
  return { dataRequestId: request.id, customerId: c.id, status: 'ready' };
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
  const connection = await repo.findConnection(ctx.db, row.org_id);
  const source: SyncSource = { webhookId: row.id, topic: row.topic, at: row.received_at, customerAccounts: connection?.customer_accounts ?? null };
  switch (row.topic) {
    case 'customers/create':
    case 'customers/update':
      return onCustomer(ctx, row.org_id, actor, body, source);
    case 'customers/delete':
      return onCustomerDeleted(ctx, row.org_id, actor, body);
    case 'orders/create':
    case 'orders/paid':
    case 'orders/fulfilled':
    case 'orders/cancelled':
      return onOrder(ctx, row.org_id, actor, row.topic, body, source);
    case 'refunds/create':
      return onRefund(ctx, row.org_id, actor, body);
    case 'customers/redact':
      return onCustomerRedact(ctx, row.org_id, actor, body);
    case 'customers/data_request':
      return onDataRequest(ctx, row, actor, body);
    case 'shop/redact':
      return onShopRedact(ctx, row, actor);
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
