-- Orders: the number the store shows (Shopify's order `name`, "#1001"), and the part of the
-- eligible amount refunded so far. Refunds reverse points in proportion to the eligible
-- amount they take back (the refunded items after their discounts, without shipping and
-- tax), not to the money returned.
alter table orders add column number text;
alter table orders add column eligible_refunded_minor bigint not null default 0;
alter table orders add constraint orders_eligible_refunded_check check (eligible_refunded_minor >= 0 and eligible_refunded_minor <= eligible_minor);
-- Refunds recorded before this column existed counted the money in the order's proportion of eligible to total.
update orders set eligible_refunded_minor = least(eligible_minor, (refunded_minor * eligible_minor) / total_minor)
  where refunded_minor > 0 and total_minor > 0;
alter table order_refunds add column eligible_minor bigint;

-- Coupons: the state of the coupon's discount code in the connected store (null: no store
-- holds it), the store's id for it and the reason of the last failure.
alter table coupons add column store_state text;
alter table coupons add constraint coupons_store_state_check check (store_state in ('pending', 'live', 'failed', 'deactivated'));
alter table coupons add column store_ref text;
alter table coupons add column store_error text;
alter table coupons add column store_attempts integer not null default 0;
alter table coupons add column store_updated_at timestamptz;

-- A Patron customer as the connected store knows them: the store's own account fields (for
-- the customer's Shopify card) and the last webhook that changed them.
create table shopify_customers (
  org_id text not null,
  customer_id text not null,
  shopify_id text not null,
  -- enabled, disabled, invited, declined (as Shopify sends them).
  account_state text,
  verified_email boolean,
  -- subscribed, not_subscribed, pending, unsubscribed, redacted, invalid (email_marketing_consent.state).
  email_marketing_state text,
  email_marketing_opt_in_level text,
  email_marketing_updated_at timestamptz,
  sms_marketing_state text,
  tags text[] not null default '{}',
  customer_accounts text,
  last_synced_at timestamptz not null,
  last_webhook_id text,
  last_webhook_topic text,
  last_webhook_at timestamptz,
  primary key (org_id, customer_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
create unique index shopify_customers_shopify_id_key on shopify_customers (org_id, shopify_id);

-- `customers/data_request`: the export Patron prepared for the store's request, downloadable by staff.
create table shopify_data_requests (
  org_id text not null,
  id text not null,
  request_id text,
  shopify_customer_id text,
  customer_id text,
  webhook_id text not null,
  status text not null,
  error text,
  file_name text,
  file jsonb,
  created_at timestamptz not null,
  completed_at timestamptz,
  primary key (org_id, id),
  unique (org_id, webhook_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
create index shopify_data_requests_created_idx on shopify_data_requests (org_id, created_at desc, id desc);

-- Backfills: one row per run, its job and what it did so far.
create table shopify_backfills (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  job_id text,
  since timestamptz,
  award_points boolean not null,
  status text not null,
  customers integer not null default 0,
  orders integer not null default 0,
  orders_created integer not null default 0,
  points_awarded bigint not null default 0,
  customers_cursor text,
  orders_cursor text,
  error text,
  started_by text not null,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  finished_at timestamptz,
  primary key (org_id, id)
);
create index shopify_backfills_created_idx on shopify_backfills (org_id, created_at desc);
