import type { Timestamp } from '../../db/types.js';

export interface BulkOutcomesTable {
  org_id: string;
  job_id: string;
  customer_id: string;
  status: 'ok' | 'refused';
  code: string | null;
  message: string | null;
  balance_after: number | null;
  entry_id: string | null;
  created_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    bulk_outcomes: BulkOutcomesTable;
  }
}
