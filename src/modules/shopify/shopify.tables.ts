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

declare module '../../db/types.js' {
  interface DB {
    shopify_connections: ShopifyConnectionsTable;
    shopify_webhooks: ShopifyWebhooksTable;
  }
}
