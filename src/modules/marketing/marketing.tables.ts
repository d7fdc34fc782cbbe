import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/types.js';

export type MarketingTool = 'klaviyo' | 'omnisend';
export type SyncState = 'pending' | 'synced' | 'failed' | 'skipped';
export type Consent = 'subscribed' | 'unsubscribed' | 'never_subscribed';

export interface MarketingConnectionsTable {
  org_id: string;
  tool: MarketingTool;
  api_key_sealed: string;
  key_hint: string;
  base_url: string;
  base_url_operator: Generated<boolean>;
  enabled: Generated<boolean>;
  last_error: string | null;
  last_error_at: Timestamp | null;
  last_success_at: Timestamp | null;
  first_sync_job_id: string | null;
  connected_at: Timestamp;
  updated_at: Timestamp;
}

export interface MarketingSyncTable {
  org_id: string;
  tool: MarketingTool;
  customer_id: string;
  state: Generated<SyncState>;
  reason: string | null;
  dirty_seq: Generated<number>;
  synced_seq: Generated<number>;
  attempts: Generated<number>;
  next_attempt_at: Timestamp | null;
  locked_until: Timestamp | null;
  remote_id: string | null;
  consent: Consent | null;
  consent_read_at: Timestamp | null;
  last_synced_at: Timestamp | null;
  erase: Generated<boolean>;
  erased_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface MarketingEventsTable {
  org_id: string;
  tool: MarketingTool;
  event_id: string;
  customer_id: string;
  name: string;
  properties: Json<Record<string, unknown>>;
  occurred_at: Timestamp;
  state: Generated<'pending' | 'sent' | 'failed' | 'dropped'>;
  attempts: Generated<number>;
  last_error: string | null;
  sent_at: Timestamp | null;
  created_at: Timestamp;
}

declare module '../../db/types.js' {
  interface DB {
    marketing_connections: MarketingConnectionsTable;
    marketing_sync: MarketingSyncTable;
    marketing_events: MarketingEventsTable;
  }
}
