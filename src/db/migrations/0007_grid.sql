-- Customer grid: search and sort indexes, saved segments, CSV imports, bulk action outcomes,
-- analytics snapshots. The indexed expressions are repeated verbatim in
-- src/modules/grid/grid.repo.ts: the planner only uses an expression index for the same expression.

-- Substring search (3+ characters): trigrams over name, email, phone and phone digits.
create index customers_search_trgm on customers using gin ((
  lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' || coalesce(phone, '') || ' ' || regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'))
) gin_trgm_ops);
-- Prefix search (1-2 characters): first name, last name, email, phone digits.
create index customers_first_name_prefix on customers (org_id, lower(first_name) text_pattern_ops);
create index customers_last_name_prefix on customers (org_id, lower(last_name) text_pattern_ops);
create index customers_email_prefix on customers (org_id, lower(email) text_pattern_ops);
create index customers_phone_prefix on customers (org_id, regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g') text_pattern_ops);

-- Grid sorts: (org, sort key, id) so keyset pages read an index range in either direction.
create index customers_grid_name on customers (org_id, lower(coalesce(nullif(btrim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')), ''), email, '')), id);
create index customers_grid_points on customers (org_id, points_active, id);
create index customers_grid_tier_progress on customers (org_id, tier_progress, id);
create index customers_grid_activity on customers (org_id, coalesce(last_activity_at, '-infinity'::timestamptz), id);
create index customers_grid_created on customers (org_id, created_at, id);
-- Filters that can be selective.
create index customers_membership_idx on customers (org_id, membership_type, account_state);
create index customers_excluded_idx on customers (org_id, id) where excluded_from_reports;

-- Saved named filters.
create table segments (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  name text not null check (length(name) between 1 and 100),
  description text check (length(description) <= 500),
  filter jsonb not null,
  created_by text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  primary key (org_id, id)
);
create unique index segments_name_key on segments (org_id, lower(name));

-- CSV imports: the uploaded text is kept so the background job can read it (no row cap).
create table imports (
  org_id text not null references organizations (id) on delete cascade,
  id text not null,
  kind text not null check (kind in ('customers', 'points', 'birthdays', 'tiers')),
  file_name text,
  file_sha256 text not null,
  csv text not null,
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  rows_total integer not null,
  rows_done integer not null default 0,
  rows_applied integer not null default 0,
  rows_unchanged integer not null default 0,
  error_count integer not null default 0,
  -- The first 1,000 row errors: [{ row, column, problem }].
  errors jsonb not null default '[]'::jsonb,
  job_id text,
  actor_type text not null,
  actor_id text,
  actor_name text,
  created_at timestamptz not null,
  updated_at timestamptz not null,
  finished_at timestamptz,
  primary key (org_id, id)
);
create index imports_created_idx on imports (org_id, created_at desc, id desc);

-- Per-customer outcome of a bulk action job, written in the transaction that applied it.
create table bulk_outcomes (
  org_id text not null,
  job_id text not null,
  customer_id text not null,
  status text not null check (status in ('ok', 'refused')),
  code text,
  message text,
  balance_after bigint,
  entry_id text,
  created_at timestamptz not null,
  primary key (org_id, job_id, customer_id),
  foreign key (org_id, customer_id) references customers (org_id, id) on delete cascade
);

-- Analytics cards per organization, recomputed by the analytics.refresh job.
create table analytics_snapshots (
  org_id text primary key references organizations (id) on delete cascade,
  computed_at timestamptz not null,
  month_start timestamptz not null,
  total_customers bigint not null,
  active_this_month bigint not null,
  valued_customers bigint not null,
  value_sum_minor bigint not null,
  retention_base bigint not null,
  retention_kept bigint not null,
  duration_ms integer not null
);
