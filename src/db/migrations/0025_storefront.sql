-- The customer's side of the program: each organization's storefront identity, the
-- redemptions customers made with an Idempotency-Key, and the storefront rate limits.

-- The publishable key is public (it goes in the store's pages) and names the organization;
-- the signing secret verifies customer tokens and is stored sealed (AES-256-GCM under a key
-- derived from PATRON_ENCRYPTION_KEY), shown once when it is created or rotated.
create table storefront_settings (
  org_id text not null references organizations (id) on delete cascade,
  publishable_key text not null,
  secret_sealed text,
  secret_rotated_at timestamptz,
  -- Exact origins (scheme://host[:port]) that may call the storefront API from a browser.
  allowed_origins text[] not null default '{}',
  theme jsonb not null default '{}',
  -- 1..100000, validated by the settings route.
  rate_per_ip_per_minute integer not null default 240,
  rate_per_customer_per_minute integer not null default 60,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id)
);
-- Pages name their organization by this key: looked up across organizations. Keys are 144
-- random bits, so they never repeat; the index is not unique (a tenant unique key leads with
-- org_id) and a lookup that found two rows would refuse both.
create index storefront_settings_publishable_key_idx on storefront_settings (publishable_key);

-- A customer's redemption under an Idempotency-Key: claimed, applied and answered in one
-- transaction, so a double click or a retry gets the first reply and one coupon.
create table storefront_redemption_keys (
  org_id text not null,
  customer_id text not null,
  idempotency_key text not null,
  request_hash text not null,
  reply jsonb not null,
  created_at timestamptz not null,
  primary key (org_id, customer_id, idempotency_key),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);

-- Fixed one-minute windows per client address and per customer, counted atomically by an
-- upsert (shared by every API process); old windows are removed by a periodic job.
create table storefront_rate_limits (
  org_id text not null references organizations (id) on delete cascade,
  bucket text not null,
  hits integer not null,
  window_started_at timestamptz not null,
  primary key (org_id, bucket)
);
