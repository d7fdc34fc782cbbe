import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from '../../db/tx.js';
import type { CustomersTable } from '../../db/types.js';

export type CustomerRow = Selectable<CustomersTable>;

export function findCustomer(db: Executor, orgId: string, id: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('id', '=', id).executeTakeFirst();
}

/** Locks the customer row: every change to one customer goes through this, one at a time. */
export function lockCustomer(db: Executor, orgId: string, customerId: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('id', '=', customerId).forUpdate().executeTakeFirst();
}

export function lockCustomerByExternalId(db: Executor, orgId: string, externalId: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('external_id', '=', externalId).forUpdate().executeTakeFirst();
}

export function findCustomerByExternalId(db: Executor, orgId: string, externalId: string): Promise<CustomerRow | undefined> {
  return db.selectFrom('customers').selectAll().where('org_id', '=', orgId).where('external_id', '=', externalId).executeTakeFirst();
}

/** Inserts unless the external id exists; returns the row and whether it was created. */
export async function insertCustomerIfAbsent(db: Executor, row: Insertable<CustomersTable>): Promise<CustomerRow | undefined> {
  return db
    .insertInto('customers')
    .values(row)
    .onConflict((oc) => oc.columns(['org_id', 'external_id']).where('external_id', 'is not', null).doNothing())
    .returningAll()
    .executeTakeFirst();
}

export async function updateCustomer(db: Executor, orgId: string, id: string, patch: Updateable<CustomersTable>): Promise<CustomerRow> {
  return db.updateTable('customers').set(patch).where('org_id', '=', orgId).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

export async function orgCurrency(db: Executor, orgId: string): Promise<string> {
  const org = await db.selectFrom('organizations').select('currency').where('id', '=', orgId).executeTakeFirstOrThrow();
  return org.currency.trim();
}

export async function customerExists(db: Executor, orgId: string, customerId: string): Promise<boolean> {
  const row = await db.selectFrom('customers').select('id').where('org_id', '=', orgId).where('id', '=', customerId).executeTakeFirst();
  return row !== undefined;
}
