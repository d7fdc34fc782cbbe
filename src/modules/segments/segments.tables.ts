import type { Json, Timestamp } from '../../db/types.js';
import type { CustomerFilter } from '../grid/index.js';

export interface SegmentsTable {
  org_id: string;
  id: string;
  name: string;
  description: string | null;
  filter: Json<Omit<CustomerFilter, 'segment'>>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    segments: SegmentsTable;
  }
}
