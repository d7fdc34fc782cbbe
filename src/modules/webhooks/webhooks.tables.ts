import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/types.js';

export type WebhookDeliveryStatus = 'pending' | 'delivered' | 'failed';
export type WebhookDeliveryKind = 'event' | 'test';

export interface WebhookEndpointsTable {
  org_id: string;
  id: string;
  url: string;
  description: Generated<string>;
  /** Catalog event types, or ["*"] for every event. */
  events: Json<string[]>;
  enabled: Generated<boolean>;
  disabled_reason: string | null;
  disabled_at: Timestamp | null;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Timestamp | null;
  failing_since: Timestamp | null;
  last_success_at: Timestamp | null;
  last_failure_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WebhookDeliveriesTable {
  org_id: string;
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  kind: Generated<WebhookDeliveryKind>;
  ordering_key: string | null;
  body: string;
  status: Generated<WebhookDeliveryStatus>;
  attempts: Generated<number>;
  retry_step: Generated<number>;
  next_attempt_at: Timestamp;
  locked_until: Timestamp | null;
  last_response_status: number | null;
  last_error: string | null;
  created_at: Timestamp;
  delivered_at: Timestamp | null;
  updated_at: Timestamp;
}

export interface WebhookAttemptsTable {
  org_id: string;
  delivery_id: string;
  attempt: number;
  endpoint_id: string;
  started_at: Timestamp;
  duration_ms: number;
  outcome: 'delivered' | 'failed';
  response_status: number | null;
  response_excerpt: string | null;
  error: string | null;
  manual: Generated<boolean>;
}

declare module '../../db/types.js' {
  interface DB {
    webhook_endpoints: WebhookEndpointsTable;
    webhook_deliveries: WebhookDeliveriesTable;
    webhook_attempts: WebhookAttemptsTable;
  }
}
