-- Earning rules: how customers earn besides orders (signup, birthday, anniversary,
-- custom actions such as instagram_follow, referral rewards).

create table earning_rules (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  kind text not null check (kind in ('signup', 'birthday', 'anniversary', 'custom_action', 'referral')),
  -- custom_action: the action key (e.g. instagram_follow); other kinds: the kind itself.
  key text not null check (key ~ '^[a-z0-9_]{1,64}$'),
  name text not null check (length(name) between 1 and 200),
  points integer not null check (points between 0 and 10000000),
  active boolean not null default true,
  -- custom_action: how many times one customer may earn it (null = unlimited).
  per_customer_limit integer check (per_customer_limit is null or per_customer_limit >= 1),
  -- kind-specific settings, e.g. referral: {"friendDiscount": {"type": "percentage", "value": "10"}}
  config jsonb not null default '{}'::jsonb,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, id)
);
create unique index earning_rules_key on earning_rules (org_id, kind, key);
