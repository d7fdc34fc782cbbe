import type { Generated } from 'kysely';
import type { Json, Timestamp } from '../../db/types.js';

export type ShopifyConnectionStatus = 'installing' | 'connected' | 'uninstalled' | 'disconnected';
export type ShopifyWebhookStatus = 'received' | 'processed' | 'failed';

/** A webhook subscription Patron created in the store on connect. */
export interface ShopifySubscription {
  topic: string;
  id: string | null;
  error: string | null;
}

export interface ShopifyConnectionsTable {
  org_id: string;
  shop_domain: string;
  api_url: string;
  api_version: string;
  scopes: string[];
  client_id: string;
  client_secret_sealed: string | null;
  access_token_sealed: string | null;
  customer_accounts: 'classic' | 'new' | null;
  webhook_subscriptions: Json<ShopifySubscription[]>;
  oauth_state_hash: string | null;
  oauth_state_expires_at: Timestamp | null;
  status: ShopifyConnectionStatus;
  status_reason: string | null;
  last_webhook_at: Timestamp | null;
  connected_at: Timestamp;
  updated_at: Timestamp;
}

export interface ShopifyWebhooksTable {
  org_id: string;
  id: string;
  webhook_id: string;
  event_id: string | null;
  topic: string;
  shop_domain: string;
  api_version: string | null;
  triggered_at: Timestamp | null;
  body: string;
  status: Generated<ShopifyWebhookStatus>;
  attempts: Generated<number>;
  error: string | null;
  result: Json<Record<string, unknown>> | null;
  received_at: Timestamp;
  processed_at: Timestamp | null;
}

/** A Patron customer as the store knows them (the customer's Shopify card). */
export interface ShopifyCustomersTable {
  org_id: string;
  customer_id: string;
  shopify_id: string;
  account_state: string | null;
  verified_email: boolean | null;
  email_marketing_state: string | null;
  email_marketing_opt_in_level: string | null;
  email_marketing_updated_at: Timestamp | null;
  sms_marketing_state: string | null;
  tags: Generated<string[]>;
  customer_accounts: string | null;
  last_synced_at: Timestamp;
  last_webhook_id: string | null;
  last_webhook_topic: string | null;
  last_webhook_at: Timestamp | null;
}

export type DataRequestStatus = 'pending' | 'ready' | 'no_customer';

/** A `customers/data_request` and the export prepared for it. */
export interface ShopifyDataRequestsTable {
  org_id: string;
  id: string;
  request_id: string | null;
  shopify_customer_id: string | null;
  customer_id: string | null;
  webhook_id: string;
  status: DataRequestStatus;
  error: string | null;
  file_name: string | null;
  file: Json<unknown> | null;
  created_at: Timestamp;
  completed_at: Timestamp | null;
}

export type BackfillStatus = 'queued' | 'running' | 'done' | 'failed';

export interface ShopifyBackfillsTable {
  org_id: string;
  id: string;
  job_id: string | null;
  since: Timestamp | null;
  award_points: boolean;
  status: BackfillStatus;
  customers: Generated<number>;
  orders: Generated<number>;
  orders_created: Generated<number>;
  points_awarded: Generated<number>;
  customers_cursor: string | null;
  orders_cursor: string | null;
  error: string | null;
  started_by: string;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: Timestamp | null;
}

declare module '../../db/types.js' {
  interface DB {
    shopify_connections: ShopifyConnectionsTable;
    shopify_webhooks: ShopifyWebhooksTable;
    shopify_customers: ShopifyCustomersTable;
    shopify_data_requests: ShopifyDataRequestsTable;
    shopify_backfills: ShopifyBackfillsTable;
  }
}
