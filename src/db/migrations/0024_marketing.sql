-- Marketing tools (Klaviyo, Omnisend) connected to an organization, and each customer's
-- sync state in each tool.

-- One row per (organization, tool). The API key is stored sealed (AES-256-GCM under a key
-- derived from PATRON_ENCRYPTION_KEY) and never returned; `key_hint` is its last four
-- characters, shown so staff can tell keys apart. `base_url_operator`: the base URL was set
-- by the operator (`patron marketing connect --base-url`: tests, proxies) and may point at a
-- private address; a base URL set through the API must be a public address.
create table marketing_connections (
  org_id text not null references organizations (id) on delete cascade,
  tool text not null check (tool in ('klaviyo', 'omnisend')),
  api_key_sealed text not null,
  key_hint text not null,
  base_url text not null,
  base_url_operator boolean not null default false,
  enabled boolean not null default true,
  last_error text,
  last_error_at timestamptz,
  last_success_at timestamptz,
  -- The first sync of the organization's customers (a job), enqueued once on connect.
  first_sync_job_id text,
  connected_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, tool)
);

-- A customer's state in one tool. `dirty_seq` grows with every change that calls for a
-- sync; a sync that read the customer at `dirty_seq` = n records `synced_seq` = n, so a
-- change arriving during the call leaves the row pending (a burst of changes is one sync).
-- `erase`: the customer was anonymized; the tool is asked to delete (or suppress) them
-- once, and they are never synced again.
create table marketing_sync (
  org_id text not null,
  tool text not null check (tool in ('klaviyo', 'omnisend')),
  customer_id text not null,
  state text not null default 'pending' check (state in ('pending', 'synced', 'failed', 'skipped')),
  reason text,
  dirty_seq bigint not null default 1,
  synced_seq bigint not null default 0,
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  locked_until timestamptz,
  remote_id text,
  consent text check (consent in ('subscribed', 'unsubscribed', 'never_subscribed')),
  consent_read_at timestamptz,
  last_synced_at timestamptz,
  erase boolean not null default false,
  erased_at timestamptz,
  updated_at timestamptz not null,
  primary key (org_id, tool, customer_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade,
  foreign key (org_id, tool) references marketing_connections (org_id, tool) on delete cascade
);
create index marketing_sync_due_idx on marketing_sync (org_id, tool, next_attempt_at) where state = 'pending';
create index marketing_sync_failed_idx on marketing_sync (org_id, customer_id) where state = 'failed';

-- Loyalty events to send to a tool (points earned, reward redeemed, tier changed, points
-- expiring), one row per (tool, outbox event): a redelivered outbox event is the same row.
create table marketing_events (
  org_id text not null,
  tool text not null check (tool in ('klaviyo', 'omnisend')),
  event_id text not null,
  customer_id text not null,
  name text not null,
  properties jsonb not null,
  occurred_at timestamptz not null,
  state text not null default 'pending' check (state in ('pending', 'sent', 'failed', 'dropped')),
  attempts integer not null default 0,
  last_error text,
  sent_at timestamptz,
  created_at timestamptz not null,
  primary key (org_id, tool, event_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade,
  foreign key (org_id, tool) references marketing_connections (org_id, tool) on delete cascade
);
create index marketing_events_pending_idx on marketing_events (org_id, tool, customer_id, occurred_at) where state = 'pending';
