-- VIP tiers: per-organization settings, the tiers themselves, manual tier floors and
-- manual tier-progress edits; indexes for tier and date lookups on customers.

create table tier_settings (
  org_id text primary key references organizations (id) on delete cascade,
  basis text not null default 'points_earned' check (basis in ('points_earned', 'amount_spent', 'orders_count')),
  -- "window" is a reserved word in SQL.
  qualification_window text not null default 'lifetime'
    check (qualification_window in ('lifetime', 'calendar_year', 'rolling_12_months')),
  grace_days integer not null default 0 check (grace_days between 0 and 365),
  updated_at timestamptz not null
);

create table tiers (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  name text not null check (length(name) between 1 and 100),
  -- In the basis unit: points, minor units of the organization currency, or orders.
  threshold bigint not null check (threshold >= 0),
  earn_multiplier numeric(8, 4) not null default 1 check (earn_multiplier > 0 and earn_multiplier <= 100),
  -- Replaces the birthday rule's points for customers in this tier (null = use the rule).
  birthday_points integer check (birthday_points between 0 and 10000000),
  -- Credited once per customer the first time they enter this tier (0 = none).
  entry_points integer not null default 0 check (entry_points between 0 and 10000000),
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, id)
);
-- Tiers are ordered by threshold: two tiers cannot start at the same value.
create unique index tiers_threshold_key on tiers (org_id, threshold);
create unique index tiers_name_key on tiers (org_id, lower(name));

alter table customers
  add constraint customers_tier_fk foreign key (org_id, tier_id) references tiers (org_id, id);
create index customers_tier_idx on customers (org_id, tier_id) where tier_id is not null;

-- A manual tier assignment is a floor: the customer never drops below it while it exists.
create table tier_manual_floors (
  org_id text not null,
  customer_id text not null,
  tier_id text not null,
  assigned_at timestamptz not null,
  primary key (org_id, customer_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade,
  foreign key (org_id, tier_id) references tiers (org_id, id)
);
create index tier_manual_floors_tier_idx on tier_manual_floors (org_id, tier_id);

-- Staff edits of tier progress, kept as dated deltas so they count inside the
-- qualification window like any other progress (and fall out of it the same way).
create table tier_progress_adjustments (
  org_id text not null,
  id text not null,
  customer_id text not null,
  delta bigint not null,
  reason text not null,
  actor_type text not null,
  actor_id text,
  actor_name text,
  created_at timestamptz not null,
  primary key (org_id, id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
create index tier_progress_adjustments_customer_idx on tier_progress_adjustments (org_id, customer_id, created_at);

-- Tier progress from the ledger: entries that count toward tier, per customer and time.
create index points_entries_tier_idx on points_entries (org_id, customer_id, created_at)
  where counts_toward_tier or kind = 'order_reversal';

-- Daily birthday and anniversary rewards look customers up by month and day.
create index customers_birthday_md_idx
  on customers (org_id, (extract(month from birthday)), (extract(day from birthday))) where birthday is not null;
create index customers_anniversary_md_idx
  on customers (org_id, (extract(month from anniversary)), (extract(day from anniversary))) where anniversary is not null;
