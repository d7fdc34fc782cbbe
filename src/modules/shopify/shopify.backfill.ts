import type { Actor, AppContext } from '../../context.js';
import { newId } from '../../db/ids.js';
import { withTx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { enqueue } from '../../jobs/queue.js';
import { shopifyGraphql } from './shopify.client.js';
import { credentialSealer, targetOf } from './shopify.connection.js';
import { graphqlOptions } from './shopify.discounts.js';
import type { JsonValue } from './lossless-json.js';
import { MappingError } from './shopify.mapping.js';
import { onOrder, syncCustomer, type SyncSource } from './shopify.process.js';
import * as repo from './shopify.repo.js';
import type { BackfillRow } from './shopify.repo.js';
import { shopifyActor } from './shopify.webhooks.js';

/**
 * Backfill: the store's existing customers, then its orders, read through the Admin
 * GraphQL API page by page (`pageInfo { hasNextPage endCursor }`) and applied exactly as
 * webhooks are (customers by Shopify id, orders by order id), so running it twice changes
 * nothing the second time. Historical orders earn points only when asked
 * (`--award-points`); otherwise they are recorded with "No points" as their explanation.
 * Orders are read with their current amounts (after refunds). The cursor is saved after
 * every page, so a backfill that stops resumes where it was.
 */

export const BACKFILL_JOB = 'shopify.backfill';
const PAGE = 50;

type Obj = { [key: string]: JsonValue };
const obj = (v: JsonValue | undefined): Obj => (v !== null && v !== undefined && typeof v === 'object' && !Array.isArray(v) ? v : {});
const list = (v: JsonValue | undefined): JsonValue[] => (Array.isArray(v) ? v : []);
const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
const lower = (v: JsonValue | undefined): string | null => str(v)?.toLowerCase() ?? null;

const CUSTOMER_FIELDS = `id legacyResourceId firstName lastName state verifiedEmail tags
  defaultEmailAddress { emailAddress marketingState marketingOptInLevel marketingUpdatedAt }
  defaultPhoneNumber { phoneNumber marketingState }`;

const CUSTOMERS = `query PatronBackfillCustomers($first: Int!, $after: String, $query: String) {
  customers(first: $first, after: $after, query: $query, sortKey: ID) {
    pageInfo { hasNextPage endCursor }
    nodes { ${CUSTOMER_FIELDS} }
  }
}`;

const ORDERS = `query PatronBackfillOrders($first: Int!, $after: String, $query: String) {
  orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
    pageInfo { hasNextPage endCursor }
    nodes {
      id legacyResourceId name createdAt processedAt cancelledAt currencyCode taxesIncluded
      displayFinancialStatus displayFulfillmentStatus discountCodes
      currentSubtotalPriceSet { shopMoney { amount currencyCode } }
      currentTotalPriceSet { shopMoney { amount currencyCode } }
      currentTotalTaxSet { shopMoney { amount currencyCode } }
      customer { ${CUSTOMER_FIELDS} }
    }
  }
}`;

/** A GraphQL Customer in the shape of a webhook body, so one mapping serves both. */
export function customerNodeToBody(n: Obj): Obj {
  const email = obj(n.defaultEmailAddress);
  const phone = obj(n.defaultPhoneNumber);
  const body: Obj = {
    id: str(n.legacyResourceId) ?? (str(n.id)?.split('/').pop() ?? null),
    email: str(email.emailAddress),
    first_name: str(n.firstName),
    last_name: str(n.lastName),
    phone: str(phone.phoneNumber),
    state: lower(n.state),
    verified_email: typeof n.verifiedEmail === 'boolean' ? n.verifiedEmail : null,
    tags: list(n.tags).filter((t) => typeof t === 'string'),
  };
  if ('defaultEmailAddress' in n && n.defaultEmailAddress !== null) {
    body.email_marketing_consent = { state: lower(email.marketingState), opt_in_level: lower(email.marketingOptInLevel), consent_updated_at: str(email.marketingUpdatedAt) };
  }
  if ('defaultPhoneNumber' in n && n.defaultPhoneNumber !== null) body.sms_marketing_consent = { state: lower(phone.marketingState) };
  return body;
}

const shopMoneySet = (v: JsonValue | undefined): Obj => {
  const m = obj(obj(v).shopMoney);
  return { shop_money: { amount: str(m.amount), currency_code: str(m.currencyCode) } };
};

/** A GraphQL Order in the shape of an order webhook body (current amounts, after refunds). */
export function orderNodeToBody(n: Obj): Obj {
  const financial = lower(n.displayFinancialStatus);
  const fulfillment = lower(n.displayFulfillmentStatus);
  return {
    id: str(n.legacyResourceId) ?? (str(n.id)?.split('/').pop() ?? null),
    name: str(n.name),
    currency: str(n.currencyCode),
    created_at: str(n.createdAt),
    processed_at: str(n.processedAt),
    cancelled_at: str(n.cancelledAt),
    taxes_included: n.taxesIncluded === true,
    financial_status: financial,
    fulfillment_status: fulfillment === 'fulfilled' ? 'fulfilled' : null,
    subtotal_price_set: shopMoneySet(n.currentSubtotalPriceSet),
    total_price_set: shopMoneySet(n.currentTotalPriceSet),
    // With prices that include tax, the mapping takes the line items' tax out of the subtotal.
    line_items: n.taxesIncluded === true ? [{ tax_lines: [{ price_set: shopMoneySet(n.currentTotalTaxSet) }] }] : [],
    discount_codes: list(n.discountCodes)
      .filter((c) => typeof c === 'string')
      .map((code) => ({ code })),
    customer: n.customer === null || n.customer === undefined ? null : customerNodeToBody(obj(n.customer)),
  };
}

export function toBackfillView(row: BackfillRow | undefined) {
  if (!row) return null;
  const phase: 'customers' | 'orders' | 'done' = row.status === 'done' ? 'done' : row.customers_cursor === 'done' ? 'orders' : 'customers';
  return {
    id: row.id,
    jobId: row.job_id,
    status: row.status,
    since: row.since?.toISOString() ?? null,
    awardPoints: row.award_points,
    customers: row.customers,
    orders: row.orders,
    ordersCreated: row.orders_created,
    pointsAwarded: Number(row.points_awarded),
    phase,
    error: row.error,
    startedBy: row.started_by,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

export type BackfillView = NonNullable<ReturnType<typeof toBackfillView>>;

/** Checks the options and the connection, and records a backfill; `enqueue` also queues its job (the admin button). */
export async function startBackfill(ctx: AppContext, orgId: string, input: { since?: string | undefined; awardPoints?: boolean | undefined }, actor: Actor, opts: { enqueue: boolean }) {
  let since: Date | null = null;
  if (input.since !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(input.since) || Number.isNaN(Date.parse(input.since))) {
      throw AppError.validation('since', 'must be a date such as 2026-01-31 (or a date and time with its offset)');
    }
    since = new Date(input.since);
  }
  const connection = await repo.findConnection(ctx.db, orgId);
  if (!connection || connection.status !== 'connected' || !connection.access_token_sealed) {
    throw new AppError('RULE_REFUSED', connection?.status_reason ?? 'No Shopify store is connected; connect it first', { field: 'connection' });
  }
  return withTx(ctx.db, async (tx) => {
    const running = await repo.runningBackfill(tx, orgId);
    if (running) throw new AppError('CONFLICT', 'A backfill is already running; wait for it to finish', { backfillId: running.id });
    const now = ctx.clock.now();
    const id = newId(now.getTime());
    const jobId = opts.enqueue ? await enqueue(tx, { orgId, type: BACKFILL_JOB, payload: { backfillId: id }, runAt: now, maxAttempts: 5, dedupeKey: `${BACKFILL_JOB}:${id}` }) : null;
    const row = await repo.insertBackfill(tx, {
      org_id: orgId,
      id,
      job_id: jobId,
      since,
      award_points: input.awardPoints === true,
      status: 'queued',
      customers_cursor: null,
      orders_cursor: null,
      error: null,
      started_by: actor.name,
      created_at: now,
      updated_at: now,
      finished_at: null,
    });
    return toBackfillView(row)!;
  });
}

const NO_POINTS = "imported from the store's history by a backfill without --award-points";

/**
 * Runs (or resumes) a backfill to the end. `progress` is told after every page. Errors are
 * recorded on the backfill and rethrown (the job retries from the saved cursor).
 */
export async function runBackfill(ctx: AppContext, orgId: string, id: string, progress: (v: BackfillView) => Promise<void> = async () => {}): Promise<BackfillView> {
  let row = await repo.findBackfill(ctx.db, orgId, id);
  if (!row) throw AppError.notFound('Shopify backfill', id);
  if (row.status === 'done') return toBackfillView(row)!;
  const connection = await repo.findConnection(ctx.db, orgId);
  if (!connection || connection.status !== 'connected' || !connection.access_token_sealed) {
    row = await repo.updateBackfill(ctx.db, orgId, id, { status: 'failed', error: connection?.status_reason ?? 'The store is no longer connected', updated_at: ctx.clock.now(), finished_at: ctx.clock.now() });
    return toBackfillView(row)!;
  }
  const token = credentialSealer(ctx).open(connection.access_token_sealed);
  const target = targetOf(connection);
  const actor = shopifyActor(connection.shop_domain);
  const source = (): SyncSource => ({ webhookId: null, topic: null, at: ctx.clock.now(), customerAccounts: connection.customer_accounts });
  const query = (field: string) => (row!.since ? `${field}:>='${row!.since.toISOString()}'` : null);
  row = await repo.updateBackfill(ctx.db, orgId, id, { status: 'running', error: null, updated_at: ctx.clock.now() });
  try {
    while (row.customers_cursor !== 'done') {
      const data = await shopifyGraphql(target, token, CUSTOMERS, { first: PAGE, after: row.customers_cursor, query: query('updated_at') }, graphqlOptions);
      const conn = obj(data.customers);
      let n = 0;
      for (const node of list(conn.nodes).map(obj)) {
        await syncCustomer(ctx, orgId, actor, customerNodeToBody(node), source()).catch(skipAnonymized);
        n += 1;
      }
      const info = obj(conn.pageInfo);
      const next = info.hasNextPage === true && typeof info.endCursor === 'string' ? info.endCursor : 'done';
      row = await repo.updateBackfill(ctx.db, orgId, id, { customers: row.customers + n, customers_cursor: next, updated_at: ctx.clock.now() });
      await progress(toBackfillView(row)!);
    }
    while (row.orders_cursor !== 'done') {
      const data = await shopifyGraphql(target, token, ORDERS, { first: PAGE, after: row.orders_cursor, query: query('created_at') }, graphqlOptions);
      const conn = obj(data.orders);
      let n = 0;
      let created = 0;
      let points = 0;
      for (const node of list(conn.nodes).map(obj)) {
        const body = orderNodeToBody(node);
        const outcome = await onOrder(ctx, orgId, actor, 'orders/backfill', body, source(), row.award_points ? undefined : NO_POINTS).catch(skipAnonymized);
        n += 1;
        if (outcome && outcome.created === true) {
          created += 1;
          points += typeof outcome.pointsEarned === 'number' ? outcome.pointsEarned : 0;
        }
      }
      const info = obj(conn.pageInfo);
      const next = info.hasNextPage === true && typeof info.endCursor === 'string' ? info.endCursor : 'done';
      row = await repo.updateBackfill(ctx.db, orgId, id, {
        orders: row.orders + n,
        orders_created: row.orders_created + created,
        points_awarded: Number(row.points_awarded) + points,
        orders_cursor: next,
        updated_at: ctx.clock.now(),
      });
      await progress(toBackfillView(row)!);
    }
    row = await repo.updateBackfill(ctx.db, orgId, id, { status: 'done', updated_at: ctx.clock.now(), finished_at: ctx.clock.now() });
    await progress(toBackfillView(row)!);
    return toBackfillView(row)!;
  } catch (err) {
    await repo.updateBackfill(ctx.db, orgId, id, { status: 'failed', error: (err instanceof Error ? err.message : String(err)).slice(0, 2000), updated_at: ctx.clock.now() });
    throw err;
  }
}

/** An anonymized customer stays anonymized, and a record Patron cannot map is left out: the backfill goes on. */
function skipAnonymized(err: unknown): undefined {
  if (err instanceof AppError && (err.code === 'CUSTOMER_ANONYMIZED' || err.code === 'VALIDATION_FAILED')) return undefined;
  if (err instanceof MappingError) return undefined;
  throw err;
}

export async function getBackfill(ctx: AppContext, orgId: string, id: string): Promise<BackfillView> {
  const row = await repo.findBackfill(ctx.db, orgId, id);
  if (!row) throw AppError.notFound('Shopify backfill', id);
  return toBackfillView(row)!;
}
