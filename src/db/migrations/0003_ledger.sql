-- Points ledger: program settings, immutable entries, expiry lots, lot allocations, orders, refunds.

create table program_settings (
  org_id text primary key references organizations (id) on delete cascade,
  earn_rate numeric(12, 4) not null default 1 check (earn_rate >= 0),
  rounding text not null default 'down' check (rounding in ('down', 'up', 'nearest')),
  award_on text not null default 'paid' check (award_on in ('paid', 'fulfilled')),
  pending_days integer not null default 0 check (pending_days between 0 and 365),
  expiry_policy text not null default 'none' check (expiry_policy in ('none', 'days_after_earning', 'inactivity')),
  expiry_days integer check (expiry_days between 1 and 3650),
  reminder_days integer check (reminder_days between 1 and 365),
  clawback_policy text not null default 'clamp' check (clawback_policy in ('clamp', 'allow_negative')),
  membership_mode text not null default 'automatic' check (membership_mode in ('automatic', 'manual')),
  guest_earning boolean not null default false,
  updated_at timestamptz not null default now(),
  check (expiry_policy = 'none' or expiry_days is not null)
);

create table orders (
  org_id text not null,
  id text not null,
  external_id text not null,
  customer_id text not null,
  currency char(3) not null,
  total_minor bigint not null check (total_minor >= 0),
  eligible_minor bigint not null check (eligible_minor >= 0),
  refunded_minor bigint not null default 0 check (refunded_minor >= 0),
  status text not null check (status in ('pending', 'paid', 'fulfilled', 'cancelled')),
  discount_codes text[] not null default '{}',
  placed_at timestamptz not null,
  fulfilled_at timestamptz,
  cancelled_at timestamptz,
  points_earned bigint not null default 0,
  points_reversed bigint not null default 0,
  earn_rate numeric(12, 4),
  tier_multiplier numeric(8, 4),
  explanation text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade,
  check (refunded_minor <= total_minor),
  check (points_reversed <= points_earned)
);
create unique index orders_external_id_key on orders (org_id, external_id);
create index orders_customer_idx on orders (org_id, customer_id, placed_at desc, id desc);

create table order_refunds (
  org_id text not null,
  id text not null,
  order_id text not null,
  external_id text not null,
  amount_minor bigint not null check (amount_minor > 0),
  points_reversed bigint not null,
  reason text,
  created_at timestamptz not null default now(),
  primary key (org_id, id),
  foreign key (org_id, order_id) references orders (org_id, id) on delete cascade
);
-- A refund id reverses once.
create unique index order_refunds_external_key on order_refunds (org_id, order_id, external_id);

create table points_entries (
  org_id text not null,
  id text not null,
  customer_id text not null,
  kind text not null check (kind in (
    'earn_order', 'earn_rule', 'manual_add', 'manual_deduct', 'redeem', 'coupon_refund',
    'order_reversal', 'rule_reversal', 'expiry', 'activation')),
  -- Signed change of the total (active + pending); activation is 0 (pending -> active).
  points bigint not null,
  active_delta bigint not null,
  pending_delta bigint not null,
  reason text not null,
  customer_message text,
  visible_to_customer boolean not null default true,
  counts_toward_tier boolean not null default false,
  explanation text not null,
  source_type text,
  source_id text,
  -- Business uniqueness: an order earns once, a coupon refunds once, a birthday rewards once a year...
  unique_key text,
  actor_type text not null,
  actor_id text,
  actor_name text,
  balance_after bigint not null,
  created_at timestamptz not null,
  primary key (org_id, id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade,
  check (points = active_delta + pending_delta)
);
create unique index points_entries_unique_key on points_entries (org_id, unique_key) where unique_key is not null;
create index points_entries_customer_idx on points_entries (org_id, customer_id, created_at desc, id desc);
create index points_entries_source_idx on points_entries (org_id, source_type, source_id);

create table points_lots (
  org_id text not null,
  id text not null,
  customer_id text not null,
  entry_id text not null,
  status text not null check (status in ('pending', 'active', 'cancelled')),
  points bigint not null,
  remaining bigint not null,
  expires_at timestamptz,
  activates_at timestamptz,
  reminded_at timestamptz,
  order_id text,
  created_at timestamptz not null,
  primary key (org_id, id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade,
  foreign key (org_id, entry_id) references points_entries (org_id, id),
  -- Only the debt lot (allow-negative clawback) may go below zero.
  check (remaining >= 0 or points = 0)
);
create index points_lots_customer_idx on points_lots (org_id, customer_id) where remaining <> 0 or status = 'pending';
create index points_lots_expiry_idx on points_lots (org_id, expires_at) where status = 'active' and remaining > 0 and expires_at is not null;
create index points_lots_activation_idx on points_lots (org_id, activates_at) where status = 'pending';
create index points_lots_order_idx on points_lots (org_id, order_id) where order_id is not null;

create table points_allocations (
  org_id text not null,
  entry_id text not null,
  lot_id text not null,
  points bigint not null,
  primary key (org_id, entry_id, lot_id),
  foreign key (org_id, entry_id) references points_entries (org_id, id),
  foreign key (org_id, lot_id) references points_lots (org_id, id)
);
create index points_allocations_lot_idx on points_allocations (org_id, lot_id);

-- Outbound domain events (the outbox webhooks and integrations read), written in the
-- transaction of the change. Payloads carry ids, never personal data.
create table outbound_events (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  type text not null,
  payload jsonb not null,
  created_at timestamptz not null,
  delivered_at timestamptz,
  primary key (org_id, id)
);
create index outbound_events_undelivered_idx on outbound_events (org_id, created_at) where delivered_at is null;
