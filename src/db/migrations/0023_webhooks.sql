-- Outbound webhooks (Standard Webhooks): endpoints an organization registers, one delivery
-- per (endpoint, event), and every attempt to send it (the delivery log).

-- The signing secret (`whsec_` + base64 of 32 random bytes) is stored sealed with
-- AES-256-GCM under a key derived from PATRON_ENCRYPTION_KEY and shown once. After a
-- rotation the previous secret keeps signing alongside the new one until
-- `previous_secret_expires_at` (24 hours). `events` is a list of catalog event types, or
-- ["*"] for all. `failing_since`: the first failed attempt since the last success; an
-- endpoint failing for a day, or answering 410, is disabled with `disabled_reason`.
create table webhook_endpoints (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  url text not null,
  description text not null default '',
  events jsonb not null,
  enabled boolean not null default true,
  disabled_reason text,
  disabled_at timestamptz,
  secret_sealed text not null,
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  failing_since timestamptz,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, id)
);

-- One message to one endpoint. `event_id` is the outbox event (or the test message's own
-- id); unique per endpoint, so a repeated fan-out of the same event is the same row.
-- `body` is the exact JSON sent on every attempt. `ordering_key` (the customer the event
-- is about) keeps one customer's messages to one endpoint in order: a later one waits
-- while an earlier one is pending. status: pending (next attempt at `next_attempt_at`),
-- delivered, failed (the retry schedule ran out, or the receiver answered 410).
-- `retry_step`: failed attempts since the delivery was last queued (picks the next delay).
create table webhook_deliveries (
  org_id text not null,
  id text not null,
  endpoint_id text not null,
  event_id text not null,
  event_type text not null,
  kind text not null default 'event' check (kind in ('event', 'test')),
  ordering_key text,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  retry_step integer not null default 0,
  next_attempt_at timestamptz not null,
  locked_until timestamptz,
  last_response_status integer,
  last_error text,
  created_at timestamptz not null,
  delivered_at timestamptz,
  updated_at timestamptz not null,
  primary key (org_id, id),
  unique (org_id, endpoint_id, event_id),
  foreign key (org_id, endpoint_id) references webhook_endpoints (org_id, id) on delete cascade
);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_order_idx on webhook_deliveries (org_id, endpoint_id, ordering_key, event_id) where status = 'pending';
create index webhook_deliveries_endpoint_idx on webhook_deliveries (org_id, endpoint_id, created_at desc, id desc);

-- Every attempt: when, how long, the answer's status and the start of its body (or the
-- network error). `attempt` numbers the delivery's attempts from 1.
create table webhook_attempts (
  org_id text not null,
  delivery_id text not null,
  attempt integer not null,
  endpoint_id text not null,
  started_at timestamptz not null,
  duration_ms integer not null,
  outcome text not null check (outcome in ('delivered', 'failed')),
  response_status integer,
  response_excerpt text,
  error text,
  manual boolean not null default false,
  primary key (org_id, delivery_id, attempt),
  foreign key (org_id, delivery_id) references webhook_deliveries (org_id, id) on delete cascade
);
