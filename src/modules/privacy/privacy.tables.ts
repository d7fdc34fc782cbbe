import type { Timestamp } from '../../db/types.js';

/**
 * Values a customer's profile used to have (email, phone, first and last name), kept by a
 * database trigger whenever they change so an erasure can find them everywhere
 * (migration 0014). Deleted by the erasure.
 */
export interface CustomerPreviousValuesTable {
  org_id: string;
  customer_id: string;
  field: 'email' | 'phone' | 'first_name' | 'last_name';
  value: string;
  replaced_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    customer_previous_values: CustomerPreviousValuesTable;
  }
}
