import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { ShopifyConnectionsTable, ShopifyWebhooksTable } from './shopify.tables.js';

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
