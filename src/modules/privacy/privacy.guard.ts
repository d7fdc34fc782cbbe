import type { Tx } from '../../db/tx.js';
import { AppError } from '../../errors.js';
import { lockCustomer, type CustomerRow } from '../points/points.repo.js';

/** Locks a customer for an edit: 404 when absent, 409 CUSTOMER_ANONYMIZED once anonymized (erasure is final). */
export async function lockEditableCustomer(tx: Tx, orgId: string, customerId: string): Promise<CustomerRow> {
  const c = await lockCustomer(tx, orgId, customerId);
  if (!c) throw AppError.notFound('Customer', customerId);
  if (c.anonymized_at) {
    throw new AppError('CUSTOMER_ANONYMIZED', `This customer was anonymized on ${c.anonymized_at.toISOString().slice(0, 10)} and can no longer be changed`, {
      id: customerId,
    });
  }
  return c;
}
