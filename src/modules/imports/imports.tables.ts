import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/types.js';
import type { ImportKind, RowError } from './imports.rows.js';

export interface ImportsTable {
  org_id: string;
  id: string;
  kind: ImportKind;
  file_name: string | null;
  file_sha256: string;
  csv: string;
  status: Generated<'queued' | 'running' | 'done' | 'failed'>;
  rows_total: number;
  rows_done: Generated<number>;
  rows_applied: Generated<number>;
  rows_unchanged: Generated<number>;
  error_count: Generated<number>;
  /** Rows with at least one error (error_count counts the errors; a row may have several). */
  rows_with_errors: Generated<number>;
  errors: Json<RowError[]>;
  job_id: string | null;
  actor_type: string;
  actor_id: string | null;
  actor_name: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

declare module '../../db/types.js' {
  interface DB {
    imports: ImportsTable;
  }
}
