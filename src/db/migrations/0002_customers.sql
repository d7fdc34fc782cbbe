-- Customers and their activity timeline.

create table customers (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  external_id text,
  email text,
  first_name text,
  last_name text,
  phone text,
  birthday date,
  anniversary date,
  account_state text not null default 'guest' check (account_state in ('registered', 'guest')),
  email_verified boolean not null default false,
  membership_type text not null default 'guest' check (membership_type in ('member', 'guest', 'left')),
  -- Cached balances, always updated in the same transaction as the ledger entry.
  points_active bigint not null default 0,
  points_pending bigint not null default 0,
  points_earned bigint not null default 0,
  points_redeemed bigint not null default 0,
  points_adjusted bigint not null default 0,
  points_expired bigint not null default 0,
  points_reversed bigint not null default 0,
  -- Order summary (minor units of the organization currency).
  orders_count integer not null default 0,
  lifetime_value_minor bigint not null default 0,
  -- Tier state.
  tier_id text,
  tier_progress bigint not null default 0,
  tier_manual boolean not null default false,
  tier_achieved_at timestamptz,
  tier_qualifying_order_id text,
  tier_updated_at timestamptz,
  -- Notes, reporting, privacy.
  note_text text,
  note_updated_at timestamptz,
  note_updated_by text,
  excluded_from_reports boolean not null default false,
  anonymized_at timestamptz,
  notification_prefs jsonb not null default
    '{"balance": true, "location": true, "marketing": false, "tier": true, "rewardAvailable": true}'::jsonb,
  last_activity_at timestamptz,
  last_synced_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, id)
);
create unique index customers_external_id_key on customers (org_id, external_id) where external_id is not null;
create index customers_email_idx on customers (org_id, lower(email));

create table activity_events (
  org_id text not null,
  id text not null,
  customer_id text not null,
  type text not null,
  actor_type text not null check (actor_type in ('user', 'api_key', 'system', 'customer')),
  actor_id text,
  actor_name text,
  summary text not null,
  payload jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
-- Timeline reads: newest first per customer, keyset on (created_at, id).
create index activity_events_customer_idx on activity_events (org_id, customer_id, created_at desc, id desc);
create index activity_events_customer_type_idx on activity_events (org_id, customer_id, type, created_at desc, id desc);
