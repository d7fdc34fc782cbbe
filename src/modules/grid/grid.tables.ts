import type { Timestamp } from '../../db/types.js';

/**
 * The grid's sort keys that every ledger change moves (migration 0030): a copy of the
 * customer's active points and last activity, kept equal to the customers row by triggers
 * in the same transaction, indexed here so that the customers row needs no index on them.
 */
export interface CustomerBalancesTable {
  org_id: string;
  customer_id: string;
  points_active: number;
  last_activity_at: Timestamp | null;
}

declare module '../../db/types.js' {
  interface DB {
    customer_balances: CustomerBalancesTable;
  }
}
