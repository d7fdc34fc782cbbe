import type { Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { lockCustomer, type CustomerRow } from './customers.repo.js';

/** The one refusal for any change to an anonymized customer (erasure is final). */
export function anonymizedError(c: Pick<CustomerRow, 'id' | 'anonymized_at'>): AppError {
  const on = c.anonymized_at ? ` on ${c.anonymized_at.toISOString().slice(0, 10)}` : '';
  return new AppError('CUSTOMER_ANONYMIZED', `This customer was anonymized${on} and can no longer be changed`, { id: c.id });
}

/** Locks a customer for a change: 404 when absent, 409 CUSTOMER_ANONYMIZED once anonymized. */
export async function lockForChange(tx: Tx, orgId: string, customerId: string): Promise<CustomerRow> {
  const c = await lockCustomer(tx, orgId, customerId);
  if (!c) throw AppError.notFound('Customer', customerId);
  if (c.anonymized_at) throw anonymizedError(c);
  return c;
}
