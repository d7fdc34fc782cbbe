import type { Insertable, Selectable, Updateable } from 'kysely';
import { cacheTag, invalidate } from '../../db/invalidation.js';
import type { Executor } from '../../db/tx.js';
import type { ShopifyBackfillsTable, ShopifyConnectionsTable, ShopifyCustomersTable, ShopifyDataRequestsTable, ShopifyWebhooksTable } from './shopify.tables.js';

export type ConnectionRow = Selectable<ShopifyConnectionsTable>;
export type WebhookRow = Selectable<ShopifyWebhooksTable>;

export function findConnection(db: Executor, orgId: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('shopify_connections').selectAll().where('org_id', '=', orgId).executeTakeFirst();
}

export function lockConnection(db: Executor, orgId: string): Promise<ConnectionRow | undefined> {
  return db.selectFrom('shopify_connections').selectAll().where('org_id', '=', orgId).forUpdate().executeTakeFirst();
}

/** Connections that can still receive webhooks for a shop (any organization). */
export function connectionsForShop(db: Executor, shopDomain: string): Promise<ConnectionRow[]> {
  return db
    .selectFrom('shopify_connections')
    .selectAll()
    .where('shop_domain', '=', shopDomain)
    .where('status', '!=', 'disconnected')
    .where('client_secret_sealed', 'is not', null)
    .execute();
}

export async function upsertConnection(db: Executor, row: Insertable<ShopifyConnectionsTable>): Promise<ConnectionRow> {
  const { org_id: _org, ...update } = row;
  await invalidate(db, [cacheTag.outbox(row.org_id)]);
  return db
    .insertInto('shopify_connections')
    .values(row)
    .onConflict((oc) => oc.column('org_id').doUpdateSet(update))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateConnection(db: Executor, orgId: string, patch: Updateable<ShopifyConnectionsTable>): Promise<ConnectionRow | undefined> {
  return db.updateTable('shopify_connections').set(patch).where('org_id', '=', orgId).returningAll().executeTakeFirst();
}

/** Inserts a delivery unless the same webhook id or event id is already stored; undefined when it was. */
export function insertWebhookIfNew(db: Executor, row: Insertable<ShopifyWebhooksTable>): Promise<{ id: string } | undefined> {
  return db
    .insertInto('shopify_webhooks')
    .values(row)
    .onConflict((oc) => oc.doNothing())
    .returning('id')
    .executeTakeFirst();
}

export function findWebhook(db: Executor, orgId: string, id: string): Promise<WebhookRow | undefined> {
  return db.selectFrom('shopify_webhooks').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function lockWebhook(db: Executor, orgId: string, id: string): Promise<WebhookRow | undefined> {
  return db.selectFrom('shopify_webhooks').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateWebhook(db: Executor, orgId: string, id: string, patch: Updateable<ShopifyWebhooksTable>): Promise<void> {
  await db.updateTable('shopify_webhooks').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Newest first, keyset paged by (received_at, id). */
export function listWebhooks(
  db: Executor,
  orgId: string,
  opts: { status?: string | undefined; limit: number; before: { receivedAt: Date; id: string } | null },
): Promise<WebhookRow[]> {
  let q = db.selectFrom('shopify_webhooks').selectAll().where('org_id', '=', orgId);
  if (opts.status) q = q.where('status', '=', opts.status as WebhookRow['status']);
  if (opts.before) {
    const b = opts.before;
    q = q.where((eb) => eb.or([eb('received_at', '<', b.receivedAt), eb.and([eb('received_at', '=', b.receivedAt), eb('id', '<', b.id)])]));
  }
  return q.orderBy('received_at', 'desc').orderBy('id', 'desc').limit(opts.limit).execute();
}

export type ShopifyCustomerRow = Selectable<ShopifyCustomersTable>;

/** Creates or updates the store's view of a customer; only the given fields change. */
export async function upsertShopifyCustomer(db: Executor, row: Insertable<ShopifyCustomersTable>): Promise<void> {
  const { org_id: _org, customer_id: _customer, ...update } = row;
  await db
    .insertInto('shopify_customers')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'customer_id']).doUpdateSet(update))
    .execute();
}

export function findShopifyCustomer(db: Executor, orgId: string, customerId: string): Promise<ShopifyCustomerRow | undefined> {
  return db.selectFrom('shopify_customers').selectAll().where('org_id', '=', orgId).where('customer_id', '=', customerId).executeTakeFirst();
}

export async function deleteShopifyCustomer(db: Executor, orgId: string, customerId: string): Promise<void> {
  await db.deleteFrom('shopify_customers').where('org_id', '=', orgId).where('customer_id', '=', customerId).execute();
}

/** The Patron customers the store has synced, in pages by customer id (shop/redact). */
export function shopCustomerIds(db: Executor, orgId: string, after: string | null, limit: number): Promise<{ customer_id: string }[]> {
  let q = db.selectFrom('shopify_customers').select('customer_id').where('org_id', '=', orgId);
  if (after) q = q.where('customer_id', '>', after);
  return q.orderBy('customer_id').limit(limit).execute();
}

/** A customer's own row: its platform id, email and whether it was anonymized. */
export function customerBasics(db: Executor, orgId: string, customerId: string) {
  return db.selectFrom('customers').select(['id', 'external_id', 'email', 'anonymized_at']).where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
}

/** Clears the stored bodies of the shop's processed deliveries (shop/redact). */
export async function clearWebhookBodies(db: Executor, orgId: string, exceptId: string): Promise<number> {
  const r = await db
    .updateTable('shopify_webhooks')
    .set({ body: '{}', result: null })
    .where('org_id', '=', orgId)
    .where('id', '!=', exceptId)
    .where('status', '!=', 'received')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export type DataRequestRow = Selectable<ShopifyDataRequestsTable>;

export function insertDataRequestIfNew(db: Executor, row: Insertable<ShopifyDataRequestsTable>): Promise<DataRequestRow | undefined> {
  return db.insertInto('shopify_data_requests').values(row).onConflict((oc) => oc.columns(['org_id', 'webhook_id']).doNothing()).returningAll().executeTakeFirst();
}

export function findDataRequestByWebhook(db: Executor, orgId: string, webhookId: string): Promise<DataRequestRow | undefined> {
  return db.selectFrom('shopify_data_requests').selectAll().where('org_id', '=', orgId).where('webhook_id', '=', webhookId).executeTakeFirst();
}

export function findDataRequest(db: Executor, orgId: string, id: string): Promise<DataRequestRow | undefined> {
  return db.selectFrom('shopify_data_requests').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export async function updateDataRequest(db: Executor, orgId: string, id: string, patch: Updateable<ShopifyDataRequestsTable>): Promise<void> {
  await db.updateTable('shopify_data_requests').set(patch).where('org_id', '=', orgId).where('id', '=', id).execute();
}

/** Newest first, without the files. */
export function listDataRequests(db: Executor, orgId: string, limit: number) {
  return db
    .selectFrom('shopify_data_requests')
    .select(['id', 'request_id', 'shopify_customer_id', 'customer_id', 'status', 'error', 'file_name', 'created_at', 'completed_at'])
    .where('org_id', '=', orgId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export type BackfillRow = Selectable<ShopifyBackfillsTable>;

export function insertBackfill(db: Executor, row: Insertable<ShopifyBackfillsTable>): Promise<BackfillRow> {
  return db.insertInto('shopify_backfills').values(row).returningAll().executeTakeFirstOrThrow();
}

export function findBackfill(db: Executor, orgId: string, id: string): Promise<BackfillRow | undefined> {
  return db.selectFrom('shopify_backfills').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function latestBackfill(db: Executor, orgId: string): Promise<BackfillRow | undefined> {
  return db.selectFrom('shopify_backfills').selectAll().where('org_id', '=', orgId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
}

export function runningBackfill(db: Executor, orgId: string): Promise<BackfillRow | undefined> {
  return db.selectFrom('shopify_backfills').selectAll().where('org_id', '=', orgId).where('status', 'in', ['queued', 'running']).limit(1).executeTakeFirst();
}

export async function updateBackfill(db: Executor, orgId: string, id: string, patch: Updateable<ShopifyBackfillsTable>): Promise<BackfillRow> {
  return db.updateTable('shopify_backfills').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** Failed deliveries count, for the settings page. */
export async function countWebhooksByStatus(db: Executor, orgId: string): Promise<Record<string, number>> {
  const rows = await db.selectFrom('shopify_webhooks').select(['status', (eb) => eb.fn.countAll<string>().as('n')]).where('org_id', '=', orgId).groupBy('status').execute();
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** The organizations among `orgIds` that have a store connection (connected or uninstalled: both record coupon store states). */
export async function orgsWithConnection(db: Executor, orgIds: readonly string[]): Promise<Set<string>> {
  if (orgIds.length === 0) return new Set();
  const rows = await db.selectFrom('shopify_connections').select('org_id').where('org_id', 'in', [...orgIds]).execute();
  return new Set(rows.map((r) => r.org_id));
}
