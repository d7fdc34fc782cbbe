-- A Shopify store connected to an organization (one per organization), and the inbox of
-- the signed webhooks it sends. `installing`: the app's credentials are known and the
-- merchant is being sent through Shopify's authorization page.

-- The client secret (it verifies webhooks) and the access token (it calls the store) are
-- stored sealed with AES-256-GCM under a key derived from PATRON_ENCRYPTION_KEY; they are
-- never returned by the API. Webhooks find their connection by shop domain; the index is
-- not unique (a tenant unique key leads with org_id), the service refuses a shop that
-- another organization has connected.
create table shopify_connections (
  org_id text not null references organizations (id) on delete cascade,
  shop_domain text not null,
  api_url text not null,
  api_version text not null,
  scopes text[] not null default '{}',
  client_id text not null,
  client_secret_sealed text,
  access_token_sealed text,
  customer_accounts text check (customer_accounts in ('classic', 'new')),
  webhook_subscriptions jsonb not null default '[]',
  -- An install in progress: the hash of the OAuth `state` handed to the authorize page (single use, 10 minutes).
  oauth_state_hash text,
  oauth_state_expires_at timestamptz,
  status text not null check (status in ('installing', 'connected', 'uninstalled', 'disconnected')),
  status_reason text,
  last_webhook_at timestamptz,
  connected_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id)
);
create index shopify_connections_shop_idx on shopify_connections (shop_domain);

-- One row per delivery, unique by Shopify's webhook id (its retries) and by event id per
-- topic (one event delivered to several subscriptions): a duplicate is the same row.
-- The raw body is kept as received (ids above 2^53 stay exact); a delivery that could
-- not be processed keeps its error and can be retried.
create table shopify_webhooks (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  webhook_id text not null,
  event_id text,
  topic text not null,
  shop_domain text not null,
  api_version text,
  triggered_at timestamptz,
  body text not null,
  status text not null default 'received' check (status in ('received', 'processed', 'failed')),
  attempts integer not null default 0,
  error text,
  result jsonb,
  received_at timestamptz not null,
  processed_at timestamptz,
  primary key (org_id, id),
  unique (org_id, webhook_id)
);
create unique index shopify_webhooks_event_key on shopify_webhooks (org_id, topic, event_id) where event_id is not null;
create index shopify_webhooks_status_idx on shopify_webhooks (org_id, status, received_at);
