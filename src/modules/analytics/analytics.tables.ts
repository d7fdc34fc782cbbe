import type { Timestamp } from '../../db/types.js';

export interface AnalyticsSnapshotsTable {
  org_id: string;
  computed_at: Timestamp;
  month_start: Timestamp;
  total_customers: number;
  active_this_month: number;
  valued_customers: number;
  value_sum_minor: number;
  retention_base: number;
  retention_kept: number;
  duration_ms: number;
}

declare module '../../db/types.js' {
  interface DB {
    analytics_snapshots: AnalyticsSnapshotsTable;
  }
}
