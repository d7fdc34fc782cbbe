import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { OrderRefundsTable, OrdersTable } from '../points/index.js';

export type OrderRow = Selectable<OrdersTable>;
export type RefundRow = Selectable<OrderRefundsTable>;

export function insertOrderIfAbsent(db: Executor, row: Insertable<OrdersTable>) {
  return db
    .insertInto('orders')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'external_id']).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export function findOrder(db: Executor, orgId: string, id: string) {
  return db.selectFrom('orders').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

export function lockOrder(db: Executor, orgId: string, id: string) {
  return db.selectFrom('orders').selectAll().where('org_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();
}

export function lockOrderByExternalId(db: Executor, orgId: string, externalId: string) {
  return db.selectFrom('orders').selectAll().where('org_id', '=', orgId).where('external_id', '=', externalId).forUpdate().executeTakeFirst();
}

export function findOrderByExternalId(db: Executor, orgId: string, externalId: string) {
  return db.selectFrom('orders').select(['id', 'customer_id']).where('org_id', '=', orgId).where('external_id', '=', externalId).executeTakeFirst();
}

export async function updateOrder(db: Executor, orgId: string, id: string, patch: Updateable<OrdersTable>): Promise<OrderRow> {
  return db.updateTable('orders').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export function findRefund(db: Executor, orgId: string, orderId: string, externalId: string) {
  return db
    .selectFrom('order_refunds')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('order_id', '=', orderId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

export async function insertRefund(db: Executor, row: Insertable<OrderRefundsTable>): Promise<void> {
  await db.insertInto('order_refunds').values(row).execute();
}

export function refundsOf(db: Executor, orgId: string, orderId: string) {
  return db.selectFrom('order_refunds').selectAll().where('org_id', '=', orgId).where('order_id', '=', orderId).orderBy('created_at').execute();
}

export async function addToOrderSummary(db: Executor, orgId: string, customerId: string, count: number, valueMinor: number): Promise<void> {
  await db
    .updateTable('customers')
    .set((eb) => ({ orders_count: eb('orders_count', '+', count), lifetime_value_minor: eb('lifetime_value_minor', '+', valueMinor) }))
    .where('org_id', '=', orgId)
    .where('id', '=', customerId)
    .execute();
}

export function listCustomerOrders(db: Executor, orgId: string, customerId: string, limit: number, before: { placedAt: Date; id: string } | null) {
  let q = db
    .selectFrom('orders')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('customer_id', '=', customerId)
    .orderBy('placed_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit);
  if (before) q = q.where((eb) => eb(eb.refTuple('placed_at', 'id'), '<', eb.tuple(before.placedAt, before.id)));
  return q.execute();
}

/** The organization's currency code (orders must be in it). */
export async function orgCurrency(db: Executor, orgId: string): Promise<string> {
  const org = await db.selectFrom('organizations').select('currency').where('id', '=', orgId).executeTakeFirstOrThrow();
  return org.currency.trim();
}

export async function customerIdByExternalId(db: Executor, orgId: string, externalId: string): Promise<string | undefined> {
  const row = await db.selectFrom('customers').select('id').where('org_id', '=', orgId).where('external_id', '=', externalId).executeTakeFirst();
  return row?.id;
}
