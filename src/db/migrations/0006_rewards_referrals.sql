-- Rewards catalogue, coupons, referral links, clicks and referrals.
-- Tenant rule: org_id leads every primary key, unique key and foreign key.

create table rewards (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  name text not null check (length(name) between 1 and 200),
  type text not null check (type in (
    'fixed_amount', 'percentage', 'free_shipping', 'free_product', 'variable', 'cart_fixed_amount', 'price_adjustment')),
  -- Points a coupon costs; for variable rewards, the points per step of value_minor.
  points_cost integer not null check (points_cost between 1 and 10000000),
  -- Money value in minor units of the organization currency (fixed amounts, variable step, optional caps).
  value_minor bigint check (value_minor is null or value_minor > 0),
  -- Percentage off, e.g. 12.5 (percentage rewards).
  value_percent numeric(5, 2) check (value_percent is null or (value_percent > 0 and value_percent <= 100)),
  -- The store's product reference (free_product rewards).
  product_ref text check (product_ref is null or length(product_ref) between 1 and 200),
  -- Variable rewards: the most points one coupon may take (null = no cap).
  max_points integer check (max_points is null or max_points >= 1),
  min_order_minor bigint check (min_order_minor is null or min_order_minor >= 0),
  coupon_validity_days integer check (coupon_validity_days is null or coupon_validity_days between 1 and 3650),
  code_prefix text check (code_prefix is null or code_prefix ~ '^[A-Z0-9]{1,16}$'),
  active boolean not null default true,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, id)
);
create index rewards_list_idx on rewards (org_id, active, id);

create table coupons (
  org_id text not null,
  id text not null,
  customer_id text not null,
  reward_id text not null,
  -- Display form ("GOLD-7KXM-Q4HT-9RWD") and lookup key (canonicalCode: "GOLD7KXMQ4HT9RWD").
  code text not null,
  code_key text not null,
  -- What was issued, as it was at issue time (the reward may change later).
  reward_name text not null,
  reward_type text not null,
  value_minor bigint,
  value_percent numeric(5, 2),
  currency char(3) not null,
  min_order_minor bigint,
  product_ref text,
  points_cost bigint not null check (points_cost >= 0),
  issued_via text not null check (issued_via in ('redemption', 'gift')),
  debit_entry_id text,
  refund_entry_id text,
  status text not null default 'active' check (status in ('active', 'used', 'revoked', 'expired')),
  expires_at timestamptz,
  used_at timestamptz,
  used_order_id text,
  revoked_at timestamptz,
  revoke_reason text,
  expired_at timestamptz,
  actor_type text not null,
  actor_id text,
  actor_name text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade,
  foreign key (org_id, reward_id) references rewards (org_id, id),
  foreign key (org_id, debit_entry_id) references points_entries (org_id, id),
  foreign key (org_id, refund_entry_id) references points_entries (org_id, id),
  foreign key (org_id, used_order_id) references orders (org_id, id)
);
create unique index coupons_code_key on coupons (org_id, code_key);
create index coupons_customer_idx on coupons (org_id, customer_id, created_at desc, id desc);
create index coupons_expiry_idx on coupons (org_id, expires_at) where status = 'active' and expires_at is not null;
create index coupons_reward_idx on coupons (org_id, reward_id);

-- Where a referral link lands (per organization).
create table referral_settings (
  org_id text primary key references organizations (id) on delete cascade,
  landing_url text not null,
  updated_at timestamptz not null
);

-- One referral link per customer; regenerating replaces the code (the old one resolves to nothing).
create table referral_links (
  org_id text not null,
  customer_id text not null,
  code text not null,
  code_key text not null,
  status text not null default 'active' check (status in ('active', 'disabled')),
  friend_discount_code text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, customer_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);
create unique index referral_links_code_key on referral_links (org_id, code_key);
-- The public /r/{code} link carries no organization: this non-unique index finds the row
-- (codes are checked against every organization when generated).
create index referral_links_code_lookup_idx on referral_links (code_key);

create table referral_clicks (
  org_id text not null,
  id text not null,
  referrer_customer_id text not null,
  -- false when the link was disabled: the visitor lands on the store but no referral starts.
  tracked boolean not null,
  created_at timestamptz not null,
  primary key (org_id, id),
  foreign key (org_id, referrer_customer_id) references customers (org_id, id) on delete cascade
);
create index referral_clicks_referrer_idx on referral_clicks (org_id, referrer_customer_id, created_at);

create table referrals (
  org_id text not null,
  id text not null,
  referrer_customer_id text not null,
  friend_customer_id text not null,
  click_id text,
  status text not null default 'pending' check (status in ('pending', 'completed')),
  completed_order_id text,
  reward_entry_id text,
  reward_points bigint not null default 0,
  created_at timestamptz not null,
  completed_at timestamptz,
  primary key (org_id, id),
  foreign key (org_id, referrer_customer_id) references customers (org_id, id) on delete cascade,
  foreign key (org_id, friend_customer_id) references customers (org_id, id) on delete cascade,
  foreign key (org_id, click_id) references referral_clicks (org_id, id),
  foreign key (org_id, completed_order_id) references orders (org_id, id),
  foreign key (org_id, reward_entry_id) references points_entries (org_id, id),
  check (referrer_customer_id <> friend_customer_id)
);
-- A friend is referred once.
create unique index referrals_friend_key on referrals (org_id, friend_customer_id);
create index referrals_referrer_idx on referrals (org_id, referrer_customer_id, status);
